/// What threads went on to do once a wait returned: for an event class C
/// and the class D of the object the firing thread last waited on (a
/// condvar, semaphore or eventfd, timed waits included) before it fired an
/// event of C, the classes such firings depended on. For the woke rule
/// (CycleJudge.wokeRule): a thread that woke the waiters of a D and then
/// waits for C has, in the thread it woke, a way out of every cycle none of
/// whose classes such a firing needed.
///
/// Bounded as TriggerSets are: a few small sets per (C, D).
public struct WakeChains: Sendable {
    public struct Step: Hashable, Sendable {
        public var fired: UInt32
        public var after: UInt32
    }
    private var sets = ClassSetLists<Step>(maxSets: 8, maxClasses: 8)

    public init() {}

    /// A thread whose last wait was on an object of class `after` fired an
    /// event of `cls`, depending on waits of `classes`.
    public mutating func record(fired cls: UInt32, after: UInt32, classes: [UInt32]) {
        guard after != 0 else { return }
        sets.record(Step(fired: cls, after: after), classes: classes)
    }

    /// Whether some thread whose last wait was on an object of class
    /// `after` fired an event of `cls` depending on none of `classes`.
    public func fired(_ cls: UInt32, after: UInt32, without classes: Set<UInt32>) -> Bool {
        after != 0 && sets.hasSet(Step(fired: cls, after: after), without: classes)
    }
}
