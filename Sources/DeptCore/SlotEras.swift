/// Where a clock slot changed hands between threads that never learned of
/// each other, so that a clock's entry for the slot stops vouching for the
/// slot's earlier thread (HappensBefore).
///
/// Why it exists: a slot is reused so that clocks stay as wide as the
/// threads that run at once, not as all the threads ever started. A new
/// thread's times continue above its predecessor's, so an entry that
/// knows the new thread at time v also claims everything of the old one
/// up to v. That is true when the new thread's start knew the old one had
/// ended (a pool that joins a worker and then starts the next one), and
/// the shim prefers such slots. When none is free and clocks are already
/// wide, it takes another one anyway: then knowing the new thread says
/// nothing of the old one, and the reuse is a boundary between two eras of
/// the slot. Without it, a worker that took L unordered with the join and
/// ended before the next worker started looked "past L before the join"
/// to a joiner that had only heard from that next worker, and a real
/// deadlock was silenced (Examples/join_under_lock_slot_reuse; it made
/// join_under_lock_second_worker flaky under load).
public struct SlotEras: Sendable {
    /// Per slot, ascending: the last times of threads whose slot a thread
    /// that did not know of their end took over; at most `kept` of them.
    private var boundaries: [UInt32: [UInt32]] = [:]
    /// Per slot: the latest boundary dropped from `boundaries`. An epoch at
    /// or below it is in an era whose end is no longer known.
    private var forgotten: [UInt32: UInt32] = [:]
    /// Boundaries kept per slot: a thread that churns through thousands of
    /// slot reuses does not grow the core; its old epochs only stop being
    /// judged (which keeps a cycle reported, never silences one).
    public static let kept = 32

    public init() {}

    /// A thread took `slot` over from one that ended at time `last`
    /// without its knowing.
    public mutating func reused(slot: UInt32, after last: UInt32) {
        guard last != 0 else { return }
        var list = boundaries[slot, default: []]
        if let top = list.last, top >= last { return }
        list.append(last)
        if list.count > Self.kept { forgotten[slot] = list.removeFirst() }
        boundaries[slot] = list
    }

    /// Whether a clock whose entry for `e`'s slot is `known` (at least
    /// `e.time`) knew `e`: false when an era began between the two, since
    /// `known` is then a later thread's time.
    public func sameEra(_ e: Epoch, known: UInt32) -> Bool {
        guard known > e.time else { return true }
        if let f = forgotten[e.slot], e.time <= f { return false }
        guard let list = boundaries[e.slot] else { return true }
        return !list.contains { b in e.time <= b && b < known }
    }

    public var isEmpty: Bool { boundaries.isEmpty }
}
