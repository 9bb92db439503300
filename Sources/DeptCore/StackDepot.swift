/// Interned call stacks. Every stack is stored once and named by a small
/// id, so dependencies and reports carry 4 bytes instead of a stack; ids
/// start at 1 so that 0 can mean "no stack" on the C side.
public struct StackDepot: Sendable {
    private var stacks: [[UInt]] = [[]]
    private var index: [[UInt]: UInt32] = [:]

    public init() {}

    public mutating func intern(_ pcs: [UInt]) -> UInt32 {
        let fresh = UInt32(stacks.count)
        let id = index.firstValue(pcs, or: fresh)
        if id == fresh { stacks.append(pcs) }
        return id
    }

    public func pcs(_ id: UInt32) -> [UInt] {
        Int(id) < stacks.count ? stacks[Int(id)] : []
    }

    public var count: Int { stacks.count - 1 }
}
