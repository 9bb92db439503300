/// What one process's detector learnt, what reached it, what it reported,
/// and what it gave up on: the `stats=1` lines at exit, after lockdep's
/// /proc/lockdep_stats. The last line is the one to read. A cycle search
/// that ran out of budget, an observation dropped at an edge's cap or a
/// wait under a semaphore dropped from a full buffer may each hide a
/// deadlock; a silent run that gave up on none of them checked everything
/// it saw. The second line tells why a run is slow: every wait and event
/// counted there missed the threads' memos and took the slow path.
public struct Statistics: Sendable, Equatable {
    // What the detector learnt.
    public var classes = 0
    public var threads = 0
    public var stacks = 0
    /// Pairs of classes one depends on the other (a wait for a mutex makes
    /// an edge to each of its releases, exclusive and shared: one pair),
    /// and the distinct observations kept of them.
    public var dependencies = 0
    public var observations = 0
    /// Pairs of instances of one class nested in each other (SameClassNesting).
    public var instancePairs = 0

    // What reached the core.
    public var waits = 0
    public var events = 0
    /// Lock wrappers found (the shim's lock_sites.c), and how many of them
    /// are named by their call site again because their acquisitions kept
    /// coming through new call strings.
    public var lockWrappers = 0
    public var crowdedLockWrappers = 0

    // What came of it.
    public var potential = 0
    /// Further cycles of a printed report's family (ReportFamily), each a
    /// line instead of a report.
    public var sameWaits = 0
    public var live = 0
    /// Distinct cycles a precision rule turned down (each a `verbosity=2`
    /// "not reported" line).
    public var turnedDown = 0
    public var suppressed = 0

    // What it gave up on.
    public var searchesOutOfBudget = 0
    public var observationsOverCap = 0
    public var instancePairsOverCap = 0
    /// Waits made while holding a binary semaphore that the thread's buffer
    /// of undecided ones had no room for (the shim's count).
    public var semaphoreWaitsDropped = 0
    /// Waits and events of threads whose stacks had no room for the core's
    /// search (the shim's count).
    public var shortStackSkips = 0

    public init() {}

    /// The four `DEPT: stats:` lines.
    public func text(pid: Int32) -> String {
        let head = "DEPT: stats: pid \(pid): "
        return head + "learnt \(Self.count(classes, "class", "classes")), \(Self.count(threads, "thread")), "
            + "\(Self.count(stacks, "stack")), \(Self.count(dependencies, "dependency", "dependencies")) "
            + "(\(Self.count(observations, "observation"))), \(Self.count(instancePairs, "instance pair"))\n"
            + head + "the slow path told the core of \(Self.count(waits, "wait")) and \(Self.count(events, "event")); "
            + "found \(Self.count(lockWrappers, "lock wrapper")) (\(crowdedLockWrappers) named by the call site again)\n"
            + head + "reported \(Self.count(potential, "potential deadlock")) "
            + "(\(Self.count(sameWaits, "more cycle")) at the same waits) and "
            + "\(Self.count(live, "live deadlock or hang", "live deadlocks or hangs")); "
            + "\(Self.count(turnedDown, "cycle")) turned down by a precision rule, \(suppressed) suppressed\n"
            + head + "gave up on \(Self.count(searchesOutOfBudget, "cycle search", "cycle searches")) (out of budget), "
            + "\(Self.count(observationsOverCap, "observation")) (over an edge's cap of "
            + "\(DependencyGraph.maxWitnessesPerEdge)), \(Self.count(instancePairsOverCap, "instance pair")) "
            + "(over a class's cap), \(Self.count(semaphoreWaitsDropped, "wait")) under a semaphore (over a thread's "
            + "buffer), \(Self.count(shortStackSkips, "wait or event", "waits or events")) on a small stack\n"
    }

    static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        "\(n) \(n == 1 ? one : many ?? one + "s")"
    }
}

extension DependencyGraph {
    /// The graph's part of the statistics.
    public var statistics: Statistics {
        var s = Statistics()
        // One wait's observation lands on the edge to each event it awaits:
        // a class pair counts its busiest edge.
        var pairs: [UInt64: (kept: Int, dropped: Int)] = [:]
        for e in edges {
            let key = UInt64(e.from.cls) << 32 | UInt64(e.to.cls)
            let p = pairs[key] ?? (0, 0)
            pairs[key] = (max(p.kept, e.witnesses.count), max(p.dropped, e.droppedWitnesses))
        }
        s.dependencies = pairs.count
        for p in pairs.values {
            s.observations += p.kept
            s.observationsOverCap += p.dropped
        }
        s.instancePairs = sameClass.pairCount
        s.instancePairsOverCap = droppedInstancePairs
        s.searchesOutOfBudget = exhaustedSearches + sameClass.exhaustedSearches
        return s
    }
}

extension Detector {
    /// The detector's part of the statistics; the runtime adds what was
    /// printed and suppressed, and the shim's drops.
    public var statistics: Statistics {
        var s = graph.statistics
        s.classes = classes.count
        s.threads = threads.count
        s.stacks = depot.count
        s.waits = waitsSeen
        s.events = eventsSeen
        s.turnedDown = turnedDownCycles
        s.lockWrappers = lockWrappers
        s.crowdedLockWrappers = crowdedLockWrappers
        return s
    }
}
