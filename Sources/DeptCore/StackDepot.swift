/// Interned call stacks. Every stack is stored once and named by a small
/// id, so dependencies and reports carry 4 bytes instead of a stack; ids
/// start at 1 so that 0 can mean "no stack" on the C side.
///
/// The index is its own open-addressing table of ids rather than a
/// `[[UInt]: UInt32]`: the shim asks for the same few stacks over and over
/// (40,000 captures in the first round of 10,000 new classes, 6,000 of them
/// distinct), and a dictionary keyed by arrays needed an array allocated
/// and SipHashed word by word before every lookup, about 900 instructions
/// for a stack already known. Here a lookup reads the caller's frames where
/// they are, hashes them with a multiply mix and compares them against the
/// one stored stack its slot names.
public struct StackDepot: Sendable {
    private var stacks: [[UInt]] = [[]]
    /// Slots of the index: 0 empty, else the stack's id in the low half and
    /// the high half of its hash in the high half (so that most slots of
    /// another stack are passed over without reading its frames).
    private var slots: [UInt64] = Array(repeating: 0, count: 64)

    public init() {}

    public mutating func intern(_ pcs: [UInt]) -> UInt32 {
        pcs.withUnsafeBufferPointer { intern($0) }
    }

    public mutating func intern(_ pcs: UnsafeBufferPointer<UInt>) -> UInt32 {
        let hash = Self.hash(pcs)
        let tag = hash & ~0xFFFF_FFFF
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 {
            let id = UInt32(truncatingIfNeeded: slots[i])
            if slots[i] & ~0xFFFF_FFFF == tag && Self.same(stacks[Int(id)], pcs) { return id }
            i = (i + 1) & mask
        }
        let id = UInt32(stacks.count)
        stacks.append(Array(pcs))
        slots[i] = tag | UInt64(id)
        // At most half full, so that a miss ends after a slot or two.
        if stacks.count * 2 > slots.count { grow() }
        return id
    }

    public func pcs(_ id: UInt32) -> [UInt] {
        Int(id) < stacks.count ? stacks[Int(id)] : []
    }

    public var count: Int { stacks.count - 1 }

    /// Frame by frame over both buffers (the generic `elementsEqual` went
    /// through the sequences' iterators, 140 instructions per match).
    private static func same(_ stored: [UInt], _ pcs: UnsafeBufferPointer<UInt>) -> Bool {
        stored.count == pcs.count && stored.withUnsafeBufferPointer { s in
            var i = 0
            while i < s.count && s[i] == pcs[i] { i += 1 }
            return i == s.count
        }
    }

    private static func hash(_ pcs: UnsafeBufferPointer<UInt>) -> UInt64 {
        var h = UInt64(pcs.count)
        for pc in pcs { h = WordMix.fold(h, UInt64(pc)) }
        return WordMix.mix(h, seed: 0)
    }

    private mutating func grow() {
        var bigger = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for id in 1..<stacks.count {
            let hash = stacks[id].withUnsafeBufferPointer { Self.hash($0) }
            var i = Int(truncatingIfNeeded: hash) & mask
            while bigger[i] != 0 { i = (i + 1) & mask }
            bigger[i] = hash & ~0xFFFF_FFFF | UInt64(id)
        }
        slots = bigger
    }
}
