/// The core's state for one process: classes, threads, stacks, the
/// dependency graph, what was reported. Plain data driven by the shim's
/// calls (or by a synthetic stream in tests); it never touches the process.
public struct Detector: Sendable {
    public var options: Options
    public private(set) var depot = StackDepot()
    public private(set) var classes: [UInt32: ClassInfo] = [:]
    public private(set) var threads: [UInt32: ThreadInfo] = [:]
    public private(set) var graph = DependencyGraph()
    /// First stack seen for each (class, operation) event site: the [E] of
    /// a report.
    public private(set) var eventSites: [UInt32: [Operation: UInt32]] = [:]
    private var reportedCycles: Set<[Int]> = []
    private var warnedSites: Set<[UInt32]> = []
    /// Threads named by a queued or printed warning (kept after they exit).
    private var warnedThreads: Set<UInt32> = []
    public private(set) var pendingReports: [CycleEvidence] = []
    public private(set) var pendingWarnings: [Warning] = []

    public init(options: Options = Options()) { self.options = options }

    public mutating func internStack(_ pcs: [UInt]) -> UInt32 { depot.intern(pcs) }

    public mutating func addClass(_ info: ClassInfo) {
        if classes[info.id] == nil { classes[info.id] = info }
    }

    public func classInfo(_ id: UInt32) -> ClassInfo {
        classes[id] ?? ClassInfo(id: id, kind: .mutex, keyKind: .firstUse, key: 0, stack: 0)
    }

    public mutating func threadStarted(_ t: ThreadInfo) {
        var t = t
        if let old = threads[t.tid], t.name == nil { t.name = old.name }
        threads[t.tid] = t
    }

    public mutating func threadNamed(_ tid: UInt32, _ name: String) {
        threads[tid, default: ThreadInfo(tid: tid)].name = name
    }

    /// An exited thread's record is kept only while something that can be
    /// reported names it (a kept observation, a warning); otherwise a
    /// program that creates a million short threads would keep a million
    /// records.
    public mutating func threadExited(_ tid: UInt32, holding held: [HeldContext]) {
        threads[tid]?.live = false
        let locks = held.filter { !$0.isThreadBody && $0.flags & HeldContext.semFlag == 0 }
        if !locks.isEmpty {
            warn(Warning(kind: .exitHoldingLocks, thread: tid, cls: locks[0].cls, stack: locks[0].stack,
                         held: locks))
        }
        if !graph.witnessThreads.contains(tid) && !warnedThreads.contains(tid) {
            threads[tid] = nil
        }
    }

    public mutating func eventSite(cls: UInt32, op: Operation, stack: UInt32) {
        if eventSites[cls]?[op] == nil { eventSites[cls, default: [:]][op] = stack }
    }

    /// A wait starts while `held` contexts are held: record the dependencies
    /// and queue one report per newly closed cycle.
    public mutating func wait(thread: UInt32, held: [HeldContext], wait: WaitPoint) {
        queue(graph.addWait(thread: thread, held: held, wait: wait))
    }

    /// A dependency confirmed after the fact (a wait made while holding a
    /// binary semaphore counts once the same thread posts it: only then was
    /// the semaphore used as a lock).
    public mutating func dependency(thread: UInt32, from: HeldContext, wait: WaitPoint, gates: [UInt32]) {
        queue(graph.addDependency(thread: thread, from: from, wait: wait, gates: gates))
    }

    /// An event (post, signal, write, release on another's behalf): the
    /// rules of `EventRules` decide which waits it depends on; queues one
    /// report per newly closed cycle.
    public mutating func event(thread: UInt32, event: PointRef, held: [HeldContext], history: [HistoryWait],
                               window: UInt64?, release: Bool) {
        let deps = EventRules.dependencies(of: event, held: held, history: history, window: window, release: release)
        let gates = held.filter { !$0.isThreadBody }.map(\.inst)
        self.event(thread: thread, event: event, deps: deps, gates: gates)
    }

    /// Records an event whose dependencies are already chosen.
    public mutating func event(thread: UInt32, event: PointRef, deps: [EventDependency], gates: [UInt32]) {
        queue(graph.addEvent(thread: thread, event: event, deps: deps, gates: gates))
    }

    private mutating func queue(_ cycles: [FoundCycle]) {
        guard options.detectPotential else { return }
        for c in cycles where !reportedCycles.contains(c.identity) {
            reportedCycles.insert(c.identity)
            pendingReports.append(CycleEvidence(cycle: c, graph: graph))
        }
    }

    public mutating func warn(_ w: Warning) {
        let key = [w.kind.rawValue, w.stack == 0 ? w.cls : 0, w.stack]
        if warnedSites.contains(key) { return }
        warnedSites.insert(key)
        warnedThreads.insert(w.thread)
        pendingWarnings.append(w)
    }

    /// Hands over what was queued since the last call.
    public mutating func takePending() -> (reports: [CycleEvidence], warnings: [Warning]) {
        defer { pendingReports.removeAll(); pendingWarnings.removeAll() }
        return (pendingReports, pendingWarnings)
    }

    /// After fork only the forking thread survives.
    public mutating func forkedChild(survivor: UInt32) {
        for k in threads.keys where k != survivor { threads[k]?.live = false }
    }
}

/// What a cycle report is made of, before symbolization.
public struct CycleEvidence: Sendable {
    public struct Link: Sendable {
        public var from: EventNode
        public var to: EventNode
        public var witness: Witness
    }
    public var links: [Link]
    public init(cycle: FoundCycle, graph: DependencyGraph) {
        links = cycle.edges.map { e in
            let edge = graph.edges[e.edge]
            return Link(from: edge.from, to: edge.to, witness: e.witness)
        }
    }
    public init(links: [Link]) { self.links = links }
}

/// A diagnostic that is not a deadlock.
public struct Warning: Sendable {
    public enum Kind: UInt32, Sendable {
        case unlockNotOwner = 1, unlockNotLocked, destroyLocked, exitHoldingLocks, relockErrorcheck, tableFull
        case robustNotConsistent
    }
    public var kind: Kind
    public var thread: UInt32
    public var cls: UInt32
    public var stack: UInt32
    public var held: [HeldContext] = []
    public init(kind: Kind, thread: UInt32, cls: UInt32, stack: UInt32, held: [HeldContext] = []) {
        self.kind = kind; self.thread = thread; self.cls = cls; self.stack = stack; self.held = held
    }
}
