/// When a thread last waited on each object, as the shim keeps it without
/// slowing a lock's fast path: per bucket of instances (inst modulo the
/// bucket count), the thread's clock time at its latest wait on any object
/// of the bucket (CShim: `clk_waited_at`, `dept_clock_waited`).
///
/// So the time given for an instance is its latest wait's or a later one:
/// an upper bound, never a lower one. A wait judged over by it is over,
/// which is what HappensBefore needs: it is used to silence, so it must
/// under-approximate.
///
/// Why it exists: R2.4 at a join needs when the joined thread last waited
/// on the lock the joiner holds, and lock waits are in no history (the
/// acquisition cache answers a repeated one with no model work at all).
/// rsyslog's tcpsrv stops its workers by joining them under a global lock
/// each took once, lazily, long before (Examples/join_under_lock_taken_before).
public struct LockWaitEpochs: Hashable, Sendable {
    public var slot: UInt32
    /// One time per bucket; the count is a power of two (the shim's mask).
    public var times: [UInt32]
    public init(slot: UInt32, times: [UInt32]) { self.slot = slot; self.times = times }

    /// The epoch of the latest wait on `inst` or of a later one; nil when
    /// the thread never waited in its bucket or had no clock.
    public func latest(_ inst: UInt32) -> Epoch? {
        guard !times.isEmpty else { return nil }
        let t = times[Int(inst) % times.count]
        return t == 0 ? nil : Epoch(slot: slot, time: t)
    }
}
