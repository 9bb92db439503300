/// One observation of a dependency: thread `thread`, inside the context
/// `from` (an instance of the edge's source class), started a wait for an
/// instance of the edge's target class while also holding `gates`.
public struct Witness: Hashable, Sendable {
    public var thread: UInt32
    public var from: HeldContext
    public var wait: WaitPoint
    /// Instances of the other contexts held at the wait, sorted. Two
    /// observations that share one of them cannot happen at the same time
    /// (a common gate lock), so together they do not make a deadlock.
    public var gates: [UInt32]
    /// For a dependency recorded at an event (not at a wait): the [S] the
    /// thread started from, and the event [E] itself.
    public var start: PointRef?
    public var event: PointRef?
    /// Happens-before facts of the wait (HappensBefore, R2.4).
    public var clocks = WaitClocks()

    public init(thread: UInt32, from: HeldContext, wait: WaitPoint, gates: [UInt32],
                start: PointRef? = nil, event: PointRef? = nil, clocks: WaitClocks = WaitClocks()) {
        self.thread = thread; self.from = from; self.wait = wait; self.gates = gates
        self.start = start; self.event = event; self.clocks = clocks
    }

    func compatible(with other: Witness) -> Bool {
        var i = 0, j = 0
        while i < gates.count && j < other.gates.count {
            if gates[i] == other.gates[j] { return false }
            if gates[i] < other.gates[j] { i += 1 } else { j += 1 }
        }
        return true
    }
}

/// A point ([S] or [E]) of a dependency recorded at an event.
public struct PointRef: Hashable, Sendable {
    public var cls: UInt32
    public var inst: UInt32
    public var op: Operation
    public var stack: UInt32
    /// An event of an object created with a positive count (a semaphore or
    /// eventfd that starts with tokens).
    public var tokens = false
    /// For an event: the call site that triggered it (0 when unknown).
    public var site: UInt = 0
    /// For a condvar signal: the site of its thread's last check of the
    /// condvar's predicate, when the contexts it entered before that check
    /// are marked `HeldContext.beforeCheckFlag` (CShim/cond_checks.c); else 0.
    public var check: UInt32 = 0
    /// For a signal, post or write: the class of the object its thread last
    /// waited on (a condvar, semaphore or eventfd, timed or not) before it
    /// fired it, 0 when none (WakeChains).
    public var after: UInt32 = 0
    public init(cls: UInt32, inst: UInt32, op: Operation, stack: UInt32, site: UInt = 0) {
        self.cls = cls; self.inst = inst; self.op = op; self.stack = stack; self.site = site
    }
}

/// One wait an event depends on, with the [S] the thread started from.
public struct EventDependency: Hashable, Sendable {
    public var start: PointRef
    public var wait: WaitPoint
    /// When the wait returned and what ended it (HappensBefore).
    public var clocks: WaitClocks
    public init(start: PointRef, wait: WaitPoint, clocks: WaitClocks = WaitClocks()) {
        self.start = start; self.wait = wait; self.clocks = clocks
    }
}

/// A dependency between two event types: `from`'s event cannot happen
/// before `to`'s event does.
public struct Edge: Sendable {
    public var from: EventNode
    public var to: EventNode
    public var witnesses: [Witness]
    /// Observations not kept because the edge already had enough different
    /// ones (counted, never silently lost).
    public var droppedWitnesses: Int = 0
}

/// A cycle found in the graph: edges in order, each with the observation
/// chosen to prove it (pairwise compatible gates).
public struct FoundCycle: Sendable {
    public var edges: [(edge: Int, witness: Witness)]
    /// Stable within the process: the set of edges involved.
    public var identity: [Int]
    /// It goes through a timed wait (R2.7): information, never a deadlock.
    public var throughTimedWait = false
}

/// Decides whether a closed path of observations is a deadlock (CycleJudge);
/// it gets the graph the path was found in. (A judge must not keep a copy
/// of the graph: the graph grows while the judge lives, and every change
/// would copy it.)
public typealias CycleVerdict = ([Witness], DependencyGraph) -> Rejection?

/// The dependency graph over event types (classes), with the cycle check
/// run whenever a new dependency or a new kind of observation appears.
///
/// Rules it implements:
/// * class-level cycles of two or more classes are reported as lockdep does:
///   the instances need not be the same, the classes can deadlock once
///   instances meet;
/// * a cycle whose observations all hold a common instance (a gate) is not a
///   deadlock: only observations with pairwise disjoint gates count;
/// * nesting inside one class (hand-over-hand) is recorded per instance pair
///   and reported only when instances are taken in both orders
///   (SameClassNesting);
/// * whatever else a closed path must satisfy is the CycleJudge's, passed in
///   as `judge`;
/// * a timed wait is recorded too, but a cycle through one is information
///   only (PRECISION R2.7): it ends by itself, so it cannot hang. Such a
///   cycle is looked for only when no cycle of untimed waits closes.
public struct DependencyGraph: Sendable {
    public private(set) var edges: [Edge] = []
    /// Each class-level edge by its two nodes.
    private var edgeIndex: [NodePair: Int] = [:]
    /// Out-edges of a node as a list threaded through `nextOut` (one entry
    /// per edge, -1 ends a list), headed by `firstOut`. Not a dictionary of
    /// targets per node: every new source node then allocated one and grew
    /// it, a fifth of the core's time meeting 10,000 new classes.
    private var firstOut: [EventNode: Int] = [:]
    private var nextOut: [Int] = []
    /// A node's class-level out-edges by target, as the cycle search walks
    /// them, kept from one search to the next until the node gains an edge.
    /// The search passes through the same nodes again and again (it backs
    /// out of a node and meets it through another path), and building the
    /// array and sorting it at every visit, with the set of the nodes on
    /// the path, was most of a search's instructions: Tcl's thread package
    /// spent a third of its run in a few searches. Filled only by searches,
    /// so a program whose searches end at once (one lock order) pays
    /// nothing for it.
    private var sortedOut: [EventNode: [OutEdge]] = [:]
    struct OutEdge: Sendable { let to: EventNode; let edge: Int }
    private struct NodePair: WordHashable {
        var from: EventNode, to: EventNode
        var hashWord: UInt64 { WordMix.fold(from.hashWord, to.hashWord) }
    }
    /// Same-class nesting: instance pairs per class node.
    public private(set) var sameClass = SameClassNesting()
    /// Threads some kept observation names: a report may need their names
    /// and creation stacks after they exit. Bounded by the observations
    /// kept (maxWitnessesPerEdge per edge), not by the threads that ran.
    public private(set) var witnessThreads: Set<UInt32> = []
    /// The thread last added to witnessThreads: one thread records its
    /// dependencies in runs, and each insert hashed the same number again.
    private var lastWitness: UInt32? = nil
    private mutating func noteWitness(_ thread: UInt32) {
        if thread != lastWitness {
            witnessThreads.insert(thread)
            lastWitness = thread
        }
    }
    private var selfEdges: [EventNode: Int] = [:]
    public var droppedInstancePairs: Int { sameClass.droppedPairs }
    /// Closed paths the judge turned down, since the last takeRejections():
    /// the shortest rejected cycle of each search that found nothing.
    public private(set) var rejections: [(rule: Rejection, witnesses: [Witness])] = []
    /// Cycle searches whose step budget ran out.
    public private(set) var exhaustedSearches = 0
    /// Observations of timed waits kept: without any, no cycle can go
    /// through one and the second search is skipped.
    private var timedWitnesses = 0

    public static let maxWitnessesPerEdge = 8
    /// What each trigger site's events depended on (OR-waits).
    public private(set) var triggerSets = TriggerSets()
    /// What firings made after a wait on each class depended on (CycleJudge.wokeRule).
    public private(set) var wakeChains = WakeChains()
    /// Signals of condvars fired holding locks, per thread (CycleRules).
    public private(set) var lockedSignals = LockedSignals()
    /// Classes whose objects a cycle must not mix (objects in static storage
    /// sharing an init-site class, CycleJudge.staticObjectRule): their
    /// edges keep observations per object pair, up to this many, so that
    /// the one object taken in both orders is still there to close a cycle.
    public private(set) var perObjectClasses: Set<UInt32> = []
    public static let maxObjectWitnessesPerEdge = 64

    public mutating func keepObjectsApart(_ cls: UInt32) { perObjectClasses.insert(cls) }

    /// One object of a per-object class: by address where both are known (a
    /// static object initialised again is still that object), else by
    /// instance.
    static func sameObject(_ a: UInt, _ ai: UInt32, _ b: UInt, _ bi: UInt32) -> Bool {
        a != 0 && b != 0 ? a == b : ai == bi
    }

    /// Observations of the same objects (sameObject at both ends).
    static func sameObjects(_ a: Witness, _ b: Witness) -> Bool {
        sameObject(a.from.addr, a.from.inst, b.from.addr, b.from.inst)
            && sameObject(a.wait.addr, a.wait.inst, b.wait.addr, b.wait.inst)
    }
    public static let maxCycleLength = 12

    public init() {}

    /// Hands over what the shim may stop sending (SameClassNesting.Hint).
    public mutating func takeSameClassHints() -> [SameClassNesting.Hint] { sameClass.takeHints() }

    public mutating func takeRejections() -> [(rule: Rejection, witnesses: [Witness])] {
        defer { rejections.removeAll() }
        return rejections
    }

    public var edgeCount: Int { edges.count }

    public func edge(from: EventNode, to: EventNode) -> Edge? {
        edgeIndex[NodePair(from: from, to: to)].map { edges[$0] }
    }

    /// The indices of the class-level edges leaving a node, in the order
    /// of its list (newest first): one walk of `firstOut`/`nextOut` for
    /// every reader.
    private struct OutEdgeIndices: Sequence, IteratorProtocol {
        let nextOut: [Int]
        var e: Int
        mutating func next() -> Int? {
            guard e >= 0 else { return nil }
            defer { e = nextOut[e] }
            return e
        }
    }

    private func outEdgeIndices(_ node: EventNode) -> OutEdgeIndices {
        OutEdgeIndices(nextOut: nextOut, e: firstOut[node] ?? -1)
    }

    /// The class-level edges leaving `node`, by target (no two lead to the
    /// same node: `edgeIndex` makes one edge of a pair).
    private func outEdges(_ node: EventNode, memo: inout [EventNode: [OutEdge]]) -> [OutEdge] {
        if let known = memo[node] { return known }
        let out = outEdgeIndices(node).map { OutEdge(to: edges[$0].to, edge: $0) }.sorted { $0.to < $1.to }
        memo[node] = out
        return out
    }

    /// Whether an event of `from` triggered at call site `site` was seen
    /// depending on one of `nodes` (OR-waits, CycleRules).
    public func triggerDepends(from: EventNode, site: UInt, on nodes: Set<EventNode>) -> Bool {
        outEdgeIndices(from).contains { e in
            nodes.contains(edges[e].to) && edges[e].witnesses.contains(where: { $0.event?.site == site })
        }
    }

    /// Records that `thread`, holding `held`, starts `wait`; returns the
    /// cycles this closes (each at most once per call; the caller dedups
    /// across calls).
    public mutating func addWait(thread: UInt32, held: [HeldContext], wait: WaitPoint, clocks: WaitClocks = WaitClocks(),
                                 judge: CycleVerdict = { ws, _ in CycleJudge.eventRules(ws) }) -> [FoundCycle] {
        var found: [FoundCycle] = []
        // Gates: the outermost held instances (a gate lock is taken first);
        // capped so a thread holding thousands of locks stays linear. Taken
        // without filtering the whole held list first: with a thousand locks
        // held, that copy and the gates' re-filtering and sorting for each
        // dependency were about 40% of the core's instructions per wait.
        var gatePool: [UInt32] = []
        gatePool.reserveCapacity(Self.maxGates)
        for h in held where !h.isThreadBody {
            gatePool.append(h.inst)
            if gatePool.count == Self.maxGates { break }
        }
        gatePool.sort()
        // A recursive or error-checking mutex re-locked by its owner does not
        // wait: the call succeeds, or fails with EDEADLK (the shim warns).
        if wait.flags & (WaitPoint.errorcheckFlag | WaitPoint.recursiveFlag) != 0
            && held.contains(where: { $0.inst == wait.inst && !$0.isThreadBody }) {
            return found
        }
        // Every held context's event depends on this wait (DESIGN §2), each
        // with an edge (or instance pair) of its own: a chain through an inner context does not
        // stand for it (a read-held inner lock leads from its shared release,
        // not from the exclusive one the outer wait was for, and an outer
        // instance would count as a gate of the inner links). A thread
        // holding more than `maxEdgesPerWait` contexts records the innermost
        // ones, so thousands of held locks stay linear.
        // Same-class contexts get their instance pair each too: a chain of
        // pairs from one thread shares that thread's outer locks as gates,
        // so it does not stand for the direct pair.
        // Same-class pairs go first: the order of objects they record is
        // evidence for a cycle that this same wait closes through another
        // class (CycleJudge.instanceOrderRule).
        let window = held.reversed().prefix(Self.maxEdgesPerWait)
        for pass in 0..<2 {
            for h in window where (h.cls == wait.cls) == (pass == 0) {
                // Inner contexts are not among the outermost gates: they share
                // the pool instead of copying it (an allocation per dependency).
                var gates = gatePool
                if gatePool.contains(h.inst) { gates.removeAll { $0 == h.inst } }
                found += addDependency(thread: thread, from: h, wait: wait, sortedGates: gates, clocks: clocks, judge: judge)
            }
        }
        return found
    }

    public static let maxEdgesPerWait = 32
    public static let maxGates = 16

    /// The held contexts `addWait` reads, for a caller that converts them
    /// from another form: the first `leading` (up to the `maxGates`-th that
    /// is not a thread body) and those from `trailingStart` on (the
    /// `maxEdgesPerWait` innermost); all of them for a wait that may be an
    /// owner's re-lock. `addWait` given only these, in order, records what
    /// it records given all of them: converting a thousand held locks for
    /// every new wait was a fifth of the core's work (scale_hold).
    public static func heldWindow(count: Int, wait flags: UInt32,
                                  isThreadBody: (Int) -> Bool) -> (leading: Int, trailingStart: Int) {
        if flags & (WaitPoint.errorcheckFlag | WaitPoint.recursiveFlag) != 0 { return (count, count) }
        let trailingStart = max(0, count - maxEdgesPerWait)
        var leading = 0, gates = 0
        while leading < trailingStart && gates < maxGates {
            if !isThreadBody(leading) { gates += 1 }
            leading += 1
        }
        return (leading, trailingStart)
    }

    /// One dependency: the event of `from` waits for `wait`, observed while
    /// the thread also held `gates`.
    public mutating func addDependency(thread: UInt32, from h: HeldContext, wait: WaitPoint, gates: [UInt32],
                                       clocks: WaitClocks = WaitClocks(),
                                       judge: CycleVerdict = { ws, _ in CycleJudge.eventRules(ws) }) -> [FoundCycle] {
        addDependency(thread: thread, from: h, wait: wait, sortedGates: gates.sorted(), clocks: clocks, judge: judge)
    }

    private mutating func addDependency(thread: UInt32, from h: HeldContext, wait: WaitPoint, sortedGates gates: [UInt32],
                                        clocks: WaitClocks, judge: CycleVerdict) -> [FoundCycle] {
        var found: [FoundCycle] = []
        let w = Witness(thread: thread, from: h, wait: wait, gates: gates, clocks: clocks)
        let from = h.node
        for target in wait.nodes {
            if h.cls == wait.cls {
                // One class in both roles: instances decide (DESIGN §4). A
                // timed wait among them ends by itself.
                if wait.isTimed { continue }
                if target == wait.nodes.first, let c = addSameClass(node: EventNode(cls: h.cls), witness: w) {
                    found.append(c)
                }
                continue
            }
            guard let index = record(from: from, to: target, witness: w) else { continue }
            if let c = findCycle(closing: index, with: w, judge: judge) { found.append(c) }
        }
        return found
    }

    /// `thread` signalled or broadcast condvar instance `cond` holding each
    /// of the lock instances `locks` (however it entered them: a trylock
    /// gives no dependency, but the lock is held all the same).
    public mutating func recordLockedSignal(thread: UInt32, cond: UInt32, locks: [UInt32]) {
        for l in locks { lockedSignals.record(thread: thread, cond: cond, lock: l) }
    }

    /// Records that `thread` triggered `event` after the waits in `deps`
    /// (DESIGN §2: an event depends on the waits its thread had to get
    /// through to reach it). Same-class dependencies are skipped: a signal
    /// of C after a wait on C is what every condvar ping-pong does.
    public mutating func addEvent(thread: UInt32, event: PointRef, deps: [EventDependency], gates: [UInt32],
                                  judge: CycleVerdict = { ws, _ in CycleJudge.eventRules(ws) }) -> [FoundCycle] {
        var found: [FoundCycle] = []
        let from = EventNode(cls: event.cls, shared: false)
        let sortedGates = gates.sorted()
        if event.op.isTrigger {
            let classes = deps.filter { !$0.wait.isTimed && $0.wait.cls != event.cls }.map { $0.wait.cls }
            triggerSets.record(cls: event.cls, site: event.site, classes: classes)
            wakeChains.record(fired: event.cls, after: event.after, classes: classes)
        }
        for d in deps where !d.wait.isTimed && d.wait.cls != event.cls {
            let g = sortedGates.filter { $0 != d.start.inst }
            let w = Witness(thread: thread,
                            from: HeldContext(cls: event.cls, inst: event.inst, stack: d.start.stack, op: event.op),
                            wait: d.wait, gates: g, start: d.start, event: event, clocks: d.clocks)
            for target in d.wait.nodes {
                guard let index = record(from: from, to: target, witness: w) else { continue }
                if let c = findCycle(closing: index, with: w, judge: judge) { found.append(c) }
            }
        }
        return found
    }

    /// Adds the observation; returns the edge index when it is new
    /// information (a new edge or an observation with a new gate set).
    private mutating func record(from: EventNode, to: EventNode, witness: Witness) -> Int? {
        let fresh = edges.count
        let i = edgeIndex.firstValue(NodePair(from: from, to: to), or: fresh)
        if i != fresh {
            let perObject = perObjectClasses.contains(from.cls) || perObjectClasses.contains(to.cls)
            // A join of another thread is new too: happens-before judges
            // each joined thread on its own waits (CycleJudge), so a pool's
            // second worker joined under the lock that let the first go may
            // still close a cycle.
            if edges[i].witnesses.contains(where: { $0.gates == witness.gates && $0.thread == witness.thread
                                                    && $0.wait.isTimed == witness.wait.isTimed
                                                    && $0.wait.isAnnounced == witness.wait.isAnnounced
                                                    && $0.wait.isAfterCheck == witness.wait.isAfterCheck
                                                    && $0.wait.isUnsureRelease == witness.wait.isUnsureRelease
                                                    && $0.wait.check == witness.wait.check
                                                    && $0.wait.woke == witness.wait.woke
                                                    && ($0.wait.op != .join || $0.wait.inst == witness.wait.inst)
                                                    && (!perObject || Self.sameObjects($0, witness)) }) {
                return nil
            }
            if edges[i].witnesses.count >= (perObject ? Self.maxObjectWitnessesPerEdge : Self.maxWitnessesPerEdge) {
                // An untimed observation takes the place of a timed one: only
                // untimed ones can prove a deadlock. Likewise an unmarked one
                // takes the place of one announced on the way in, of a
                // condvar lock's release after a check, of a futex wake
                // that may be a lock's release, or of a wait made after
                // waking another thread.
                let marked = { (w: Witness) in
                    w.wait.isAnnounced || w.wait.isAfterCheck || w.wait.isUnsureRelease || w.wait.woke != 0
                }
                let weak = edges[i].witnesses.firstIndex(where: { $0.wait.isTimed })
                    ?? (marked(witness) ? nil : edges[i].witnesses.firstIndex(where: marked))
                guard !witness.wait.isTimed, let t = weak else {
                    edges[i].droppedWitnesses += 1
                    return nil
                }
                if edges[i].witnesses[t].wait.isTimed { timedWitnesses -= 1 }
                edges[i].witnesses.remove(at: t)
                edges[i].droppedWitnesses += 1
            }
            edges[i].witnesses.append(witness)
            noteWitness(witness.thread)
            if witness.wait.isTimed { timedWitnesses += 1 }
            return i
        }
        if witness.wait.isTimed { timedWitnesses += 1 }
        edges.append(Edge(from: from, to: to, witnesses: [witness]))
        nextOut.append(firstOut.updateValue(i, forKey: from) ?? -1)
        if !sortedOut.isEmpty { sortedOut.removeValue(forKey: from) }
        noteWitness(witness.thread)
        return i
    }

    /// Search budget of one cycle check: the search below backtracks over
    /// nodes and over the observations of each edge, which is exponential
    /// in the worst case; real graphs stay far below this.
    public static let searchBudget = 20_000

    /// Steps a search takes before it asks whether any path leads back at
    /// all. Most searches end far sooner, cut short by gates or by a small
    /// graph, and never pay for that pass, which is linear in the edges
    /// reachable from the new edge's target (a thread that holds 2,000 locks
    /// at once in one order reaches hundreds of thousands of them from every
    /// new observation, where the gates end the search at its first step).
    public static let searchBeforePathCheck = 2_000

    /// Whether a path back from the new edge's target to its source exists
    /// at the level of classes: unknown until a search has run
    /// `searchBeforePathCheck` steps.
    /// With the nodes from which that source is reachable (`reaching`):
    /// worked out once for both of a new edge's searches, the untimed and
    /// the timed one.
    private enum PathBack { case unknown, exists(within: Set<EventNode>), none }

    /// A cycle through the new observation: first among untimed waits only;
    /// if there is none, one through a timed wait (information).
    private mutating func findCycle(closing index: Int, with witness: Witness, judge: CycleVerdict) -> FoundCycle? {
        // Nothing leaves the new edge's target yet (a program taking its
        // locks in one order meets each inner class first as a target): no
        // path back, and no search state to allocate.
        if firstOut[edges[index].to] == nil { return nil }
        var pathBack = PathBack.unknown
        var shortestRejection: (rule: Rejection, witnesses: [Witness])? = nil
        if !witness.wait.isTimed, let c = search(closing: index, with: witness, timed: false, pathBack: &pathBack,
                                                 judge: judge, rejected: &shortestRejection) {
            return c
        }
        if timedWitnesses > 0,
           var c = search(closing: index, with: witness, timed: true, pathBack: &pathBack, judge: judge,
                          rejected: &shortestRejection) {
            c.throughTimedWait = true
            c.identity.append(-2)
            return c
        }
        if let r = shortestRejection { rejections.append(r) }
        return nil
    }

    /// A search of `searchBeforePathCheck` steps; if it runs out, the
    /// class-level pass, and when a path back exists the search of
    /// `searchBudget` steps, which finds what it always found. When none
    /// exists it could only have run out of budget: node's start-up spent
    /// most of its time in such searches (a dead end that many paths lead
    /// into is walked once per path), with its other threads spinning on the
    /// core lock. The long search is confined to the nodes on paths back
    /// (`reaching`), so a dead end before the path back costs nothing; the
    /// budget still bounds the witness combinations along those paths.
    private mutating func search(closing index: Int, with witness: Witness, timed: Bool,
                                 pathBack: inout PathBack, judge: CycleVerdict,
                                 rejected: inout (rule: Rejection, witnesses: [Witness])?) -> FoundCycle? {
        // The memo is moved out of self for the search (which reads self)
        // and back after it, without copying it.
        var memo: [EventNode: [OutEdge]] = [:]
        swap(&memo, &sortedOut)
        defer { swap(&memo, &sortedOut) }
        if case .unknown = pathBack {
            let (c, exhausted) = search(closing: index, with: witness, timed: timed,
                                        budget: Self.searchBeforePathCheck, judge: judge, rejected: &rejected, memo: &memo)
            if !exhausted { return c }
            pathBack = reaches(edges[index].from, from: edges[index].to)
                ? .exists(within: reaching(edges[index].from)) : .none
        }
        guard case .exists(let within) = pathBack else { return nil }
        let (c, exhausted) = search(closing: index, with: witness, timed: timed, budget: Self.searchBudget,
                                    judge: judge, rejected: &rejected, memo: &memo, within: within)
        if exhausted { exhaustedSearches += 1 }
        return c
    }

    /// The nodes from which `goal` is reachable over class-level edges
    /// (`goal` included): the long search steps into no other node. Dead
    /// ends were walked once per path into them, and RocksDB's manual
    /// compaction (a caller waiting on the background condvar under the DB
    /// mutex, many wait and signal contexts on that one mutex class) ran
    /// out of the budget in 9 searches of a 136-dependency graph.
    private func reaching(_ goal: EventNode) -> Set<EventNode> {
        var into: [EventNode: [EventNode]] = [:]
        for e in edges where e.from != e.to { into[e.to, default: []].append(e.from) }
        var seen: Set<EventNode> = [goal]
        var next: [EventNode] = [goal]
        while let node = next.popLast() {
            for from in into[node] ?? [] where seen.insert(from).inserted { next.append(from) }
        }
        return seen
    }

    /// Whether `goal` is reachable from `start` over class-level edges.
    private func reaches(_ goal: EventNode, from start: EventNode) -> Bool {
        var seen: Set<EventNode> = [start]
        var next: [EventNode] = [start]
        while let node = next.popLast() {
            for e in outEdgeIndices(node) {
                let to = edges[e].to
                if to == goal { return true }
                if seen.insert(to).inserted { next.append(to) }
            }
        }
        return false
    }

    /// Depth-first search for a simple path from the new edge's target back
    /// to its source whose observations can coexist (pairwise disjoint
    /// gates) and pass the judge, in at most `budget` steps. Nodes
    /// are unmarked when the search backs out of them, and each edge's
    /// observations are all tried, so a path whose first observation clashes
    /// is still found through another one.
    private func search(closing index: Int, with witness: Witness, timed: Bool, budget: Int, judge: CycleVerdict,
                        rejected: inout (rule: Rejection, witnesses: [Witness])?,
                        memo: inout [EventNode: [OutEdge]],
                        within: Set<EventNode>? = nil) -> (FoundCycle?, exhausted: Bool) {
        let start = edges[index].to, goal = edges[index].from
        // The nodes on the path, in path order: at most maxCycleLength + 1,
        // so a scan is cheaper than hashing each one in and out of a set.
        var onPath: [EventNode] = [start]
        onPath.reserveCapacity(Self.maxCycleLength + 2)
        var path: [(edge: Int, witness: Witness)] = [(index, witness)]
        var budget = budget
        var exhausted = false
        let edges = self.edges

        func dfs(_ node: EventNode) -> Bool {
            if path.count > Self.maxCycleLength { return false }
            for o in outEdges(node, memo: &memo) {
                let to = o.to, e = o.edge
                if to != goal && onPath.contains(to) { continue }
                if let within, !within.contains(to) { continue }
                for w in edges[e].witnesses where (timed || !w.wait.isTimed) && path.allSatisfy({ $0.witness.compatible(with: w) }) {
                    budget -= 1
                    if budget < 0 { exhausted = true; return false }
                    path.append((e, w))
                    if to == goal {
                        let ws = path.map { $0.witness }
                        if timed && !ws.contains(where: { $0.wait.isTimed }) {
                            // Already judged in the untimed pass.
                        } else if let why = judge(ws, self) {
                            // The shortest: the most direct reason. The
                            // search meets longer cycles through the new
                            // edge first as often as not (a join under a
                            // lock: G -> thread -> pool_run -> G before the
                            // join's own two-cycle).
                            if rejected.map({ ws.count < $0.witnesses.count }) ?? true { rejected = (why, ws) }
                        } else {
                            return true
                        }
                        path.removeLast()
                        continue
                    }
                    onPath.append(to)
                    if dfs(to) { return true }
                    onPath.removeLast()
                    path.removeLast()
                }
            }
            return false
        }
        let found = dfs(start)
        guard found else { return (nil, exhausted) }
        return (FoundCycle(edges: path, identity: path.map { $0.edge }.sorted()), false)
    }

    /// Nesting inside one class (`a` held while waiting for `b`, both of one
    /// class, in any modes): a self-wait, or an instance pair that
    /// SameClassNesting keeps and searches for loops.
    private mutating func addSameClass(node: EventNode, witness: Witness) -> FoundCycle? {
        let a = witness.from.inst, b = witness.wait.inst
        if a == b {
            // Waiting for an instance this very thread holds: only it could
            // release it. A cycle of one event (unless it is a recursive or
            // error-checking mutex, or a read relock, which do not wait).
            if witness.wait.flags & (WaitPoint.recursiveFlag | WaitPoint.errorcheckFlag) != 0 { return nil }
            if !SameClassNesting.waitsFor(witness, witness) { return nil }
            let i = selfEdge(node, witness)
            return FoundCycle(edges: [(i, witness)], identity: [i, -1])
        }
        noteWitness(witness.thread)
        guard let loop = sameClass.add(node: node, witness: witness) else { return nil }
        let i = selfEdge(node, witness)
        // Once per class: the same inversion on other instances is the same bug.
        return FoundCycle(edges: loop.map { (i, $0) }, identity: [i])
    }

    private mutating func selfEdge(_ node: EventNode, _ witness: Witness) -> Int {
        if let i = selfEdges[node] { return i }
        let i = edges.count
        edges.append(Edge(from: node, to: node, witnesses: [witness]))
        nextOut.append(-1)
        noteWitness(witness.thread)
        selfEdges[node] = i
        // Not among the out-edges class-level cycle search follows: a class
        // nesting in itself says nothing without instances.
        return i
    }
}
