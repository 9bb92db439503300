/// Which threads were seen signalling a condvar while holding a lock (both
/// named by instance), for the rule on collectors serialised by one lock
/// (CycleJudge.waiterSignalsTooRule). By instance, not class: a thread
/// that signals one object's condvar under that object's lock plays no
/// part at another object of the same classes.
///
/// Kept apart from the graph's witnesses: an edge keeps a few observations
/// (DependencyGraph.maxWitnessesPerEdge), chosen by their gates, and one
/// thread with many gate sets filled them before the others' signals were
/// recorded (ECL's main thread under Boehm GC's allocation lock).
///
/// Bounded: up to `capacity` facts; later ones are not kept, so the rule
/// that reads them stays silent less often, never more.
public struct LockedSignals: Sendable {
    struct Fact: Hashable, Sendable, WordHashable {
        var thread: UInt32
        var cond: UInt32
        var lock: UInt32
        var hashWord: UInt64 { WordMix.fold(UInt64(thread) << 32 | UInt64(cond), UInt64(lock)) }
    }
    private var facts: Set<Fact> = []
    public static let capacity = 1 << 16

    public init() {}

    /// `thread` signalled or broadcast condvar instance `cond` holding lock
    /// instance `lock`.
    public mutating func record(thread: UInt32, cond: UInt32, lock: UInt32) {
        guard facts.count < Self.capacity else { return }
        facts.insert(Fact(thread: thread, cond: cond, lock: lock))
    }

    public func contains(thread: UInt32, cond: UInt32, lock: UInt32) -> Bool {
        facts.contains(Fact(thread: thread, cond: cond, lock: lock))
    }
}
