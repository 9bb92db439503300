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

    public init(thread: UInt32, from: HeldContext, wait: WaitPoint, gates: [UInt32],
                start: PointRef? = nil, event: PointRef? = nil) {
        self.thread = thread; self.from = from; self.wait = wait; self.gates = gates
        self.start = start; self.event = event
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
    public init(cls: UInt32, inst: UInt32, op: Operation, stack: UInt32) {
        self.cls = cls; self.inst = inst; self.op = op; self.stack = stack
    }
}

/// One wait an event depends on, with the [S] the thread started from.
public struct EventDependency: Hashable, Sendable {
    public var start: PointRef
    public var wait: WaitPoint
    public init(start: PointRef, wait: WaitPoint) { self.start = start; self.wait = wait }
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
}

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
///   and reported only when instances are taken in both orders.
public struct DependencyGraph: Sendable {
    public private(set) var edges: [Edge] = []
    private var adjacency: [EventNode: [EventNode: Int]] = [:]
    /// Same-class nesting: instance pairs per class node.
    /// Same-class nesting: per class, from instance -> to instance -> the
    /// distinct observations (modes and gates) of that pair.
    private var instancePairs: [EventNode: [UInt32: [UInt32: [Witness]]]] = [:]
    /// Threads some kept observation names: a report may need their names
    /// and creation stacks after they exit. Bounded by the observations
    /// kept (maxWitnessesPerEdge per edge), not by the threads that ran.
    public private(set) var witnessThreads: Set<UInt32> = []
    private var selfEdges: [EventNode: Int] = [:]
    private var instancePairCount: [EventNode: Int] = [:]
    public private(set) var droppedInstancePairs = 0

    public static let maxWitnessesPerEdge = 8
    public static let maxCycleLength = 12
    public static let maxInstancePairsPerClass = 1 << 16

    public init() {}

    public var edgeCount: Int { edges.count }

    public func edge(from: EventNode, to: EventNode) -> Edge? {
        adjacency[from]?[to].map { edges[$0] }
    }

    /// Records that `thread`, holding `held`, starts `wait`; returns the
    /// cycles this closes (each at most once per call; the caller dedups
    /// across calls).
    public mutating func addWait(thread: UInt32, held: [HeldContext], wait: WaitPoint) -> [FoundCycle] {
        var found: [FoundCycle] = []
        if wait.isTimed { return found }
        // Gates: the outermost held instances (a gate lock is taken first);
        // capped so a thread holding thousands of locks stays linear.
        let gatePool = held.filter { !$0.isThreadBody }.prefix(Self.maxGates).map { $0.inst }
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
        for h in held.reversed().prefix(Self.maxEdgesPerWait) {
            found += addDependency(thread: thread, from: h, wait: wait, gates: gatePool.filter { $0 != h.inst })
        }
        return found
    }

    public static let maxEdgesPerWait = 32
    public static let maxGates = 16

    /// One dependency: the event of `from` waits for `wait`, observed while
    /// the thread also held `gates`.
    public mutating func addDependency(thread: UInt32, from h: HeldContext, wait: WaitPoint, gates: [UInt32]) -> [FoundCycle] {
        var found: [FoundCycle] = []
        if wait.isTimed { return found }
        let w = Witness(thread: thread, from: h, wait: wait, gates: gates.sorted())
        let from = h.node
        for target in wait.nodes {
            if h.cls == wait.cls {
                // One class in both roles: instances decide (DESIGN §4).
                if target == wait.nodes.first, let c = addSameClass(node: EventNode(cls: h.cls), witness: w) {
                    found.append(c)
                }
                continue
            }
            guard let index = record(from: from, to: target, witness: w) else { continue }
            if let c = findCycle(closing: index, with: w) { found.append(c) }
        }
        return found
    }

    /// Records that `thread` triggered `event` after the waits in `deps`
    /// (DESIGN §2: an event depends on the waits its thread had to get
    /// through to reach it). Same-class dependencies are skipped: a signal
    /// of C after a wait on C is what every condvar ping-pong does.
    public mutating func addEvent(thread: UInt32, event: PointRef, deps: [EventDependency], gates: [UInt32]) -> [FoundCycle] {
        var found: [FoundCycle] = []
        let from = EventNode(cls: event.cls, shared: false)
        let sortedGates = gates.sorted()
        for d in deps where !d.wait.isTimed && d.wait.cls != event.cls {
            let g = sortedGates.filter { $0 != d.start.inst }
            let w = Witness(thread: thread,
                            from: HeldContext(cls: event.cls, inst: event.inst, stack: d.start.stack, op: event.op),
                            wait: d.wait, gates: g, start: d.start, event: event)
            for target in d.wait.nodes {
                guard let index = record(from: from, to: target, witness: w) else { continue }
                if let c = findCycle(closing: index, with: w) { found.append(c) }
            }
        }
        return found
    }

    /// Adds the observation; returns the edge index when it is new
    /// information (a new edge or an observation with a new gate set).
    private mutating func record(from: EventNode, to: EventNode, witness: Witness) -> Int? {
        if let i = adjacency[from]?[to] {
            if edges[i].witnesses.contains(where: { $0.gates == witness.gates && $0.thread == witness.thread }) {
                return nil
            }
            if edges[i].witnesses.count >= Self.maxWitnessesPerEdge {
                edges[i].droppedWitnesses += 1
                return nil
            }
            edges[i].witnesses.append(witness)
            witnessThreads.insert(witness.thread)
            return i
        }
        let i = edges.count
        edges.append(Edge(from: from, to: to, witnesses: [witness]))
        witnessThreads.insert(witness.thread)
        adjacency[from, default: [:]][to] = i
        return i
    }

    /// Whether a cycle's observations can be the contexts of one deadlock.
    /// Lock-order cycles are reported as lockdep does, even when one thread
    /// took the locks in both orders (another thread running the same code
    /// deadlocks). A cycle that goes through an event (a signal, post, write,
    /// thread exit) is the DEPT model's over-approximation: an event usually
    /// has several possible triggers, so such a cycle counts only when its
    /// contexts were observed in pairwise different threads, as the threads
    /// of a real deadlock are. (A program whose one thread signals a condvar
    /// under its API lock and later waits on it under the same lock is not
    /// reported; the same with two threads is.)
    ///
    /// Such a cycle must also be one at the level of instances: each context
    /// waits for the very object the next one is inside of (classes made
    /// coarse by a lock wrapper otherwise join unrelated condvars and
    /// mutexes). And a ring made only of events with no lock in it, around
    /// an object created with tokens (a semaphore or eventfd with a positive
    /// initial count), is a token-passing ping-pong: the tokens cannot all be
    /// in flight at once, so it never deadlocks.
    static func plausible(_ witnesses: [Witness]) -> Bool {
        let throughEvent = witnesses.contains { w in
            w.event != nil || w.from.isThreadBody || !w.wait.op.isLockAcquisition
        }
        guard throughEvent else { return true }
        guard Set(witnesses.map { $0.thread }).count == witnesses.count else { return false }
        for (i, w) in witnesses.enumerated() {
            let next = witnesses[(i + 1) % witnesses.count]
            if w.wait.inst != next.from.inst { return false }
        }
        let onlyEvents = witnesses.allSatisfy { w in
            w.event != nil && !w.wait.op.isLockAcquisition && !(w.start?.op.isLockAcquisition ?? false)
        }
        if onlyEvents && witnesses.contains(where: { $0.event?.tokens ?? false }) { return false }
        return true
    }

    /// Search budget of one cycle check: the search below backtracks over
    /// nodes and over the observations of each edge, which is exponential
    /// in the worst case; real graphs stay far below this.
    public static let searchBudget = 20_000

    /// Depth-first search for a simple path from the new edge's target back
    /// to its source whose observations can coexist (pairwise disjoint
    /// gates). Nodes are unmarked when the search backs out of them, and each
    /// edge's observations are all tried, so a path whose first observation
    /// clashes is still found through another one.
    private func findCycle(closing index: Int, with witness: Witness) -> FoundCycle? {
        let start = edges[index].to, goal = edges[index].from
        var onPath: Set<EventNode> = [start]
        var path: [(edge: Int, witness: Witness)] = [(index, witness)]
        var budget = Self.searchBudget

        func dfs(_ node: EventNode) -> Bool {
            if path.count > Self.maxCycleLength { return false }
            guard let next = adjacency[node] else { return false }
            for (to, e) in next.sorted(by: { $0.key < $1.key }) {
                if to != goal && onPath.contains(to) { continue }
                for w in edges[e].witnesses where path.allSatisfy({ $0.witness.compatible(with: w) }) {
                    budget -= 1
                    if budget < 0 { return false }
                    path.append((e, w))
                    if to == goal {
                        if Self.plausible(path.map { $0.witness }) { return true }
                        path.removeLast()
                        continue
                    }
                    onPath.insert(to)
                    if dfs(to) { return true }
                    onPath.remove(to)
                    path.removeLast()
                }
            }
            return false
        }
        guard dfs(start) else { return nil }
        return FoundCycle(edges: path, identity: path.map { $0.edge }.sorted())
    }

    /// Nesting inside one class (`a` held while waiting for `b`, both of one
    /// class, in any modes). Reported only when the instance pairs close a
    /// loop in which each wait really waits for the next hold (a read wait
    /// does not wait for a read hold), with coexisting observations.
    private mutating func addSameClass(node: EventNode, witness: Witness) -> FoundCycle? {
        let a = witness.from.inst, b = witness.wait.inst
        func waitsFor(_ w: Witness, _ next: Witness) -> Bool {
            w.wait.awaits.contains(next.from.shared ? .shared : .exclusive)
        }
        if a == b {
            // Waiting for an instance this very thread holds: only it could
            // release it. A cycle of one event (unless it is a recursive or
            // error-checking mutex, or a read relock, which do not wait).
            if witness.wait.flags & (WaitPoint.recursiveFlag | WaitPoint.errorcheckFlag) != 0 { return nil }
            if !waitsFor(witness, witness) { return nil }
            let i = selfEdge(node, witness)
            return FoundCycle(edges: [(i, witness)], identity: [i, -1])
        }
        let known = instancePairs[node]?[a]?[b] ?? []
        // Kept per distinct modes and gates, like the class-level edges'
        // observations: a repeat under other gates or modes is new evidence.
        if known.contains(where: { $0.from.shared == witness.from.shared && $0.wait.awaits == witness.wait.awaits
                                   && $0.gates == witness.gates }) {
            return nil
        }
        if known.count >= Self.maxWitnessesPerEdge || instancePairCount[node, default: 0] >= Self.maxInstancePairsPerClass {
            droppedInstancePairs += 1
            return nil
        }
        instancePairCount[node, default: 0] += 1
        instancePairs[node, default: [:]][a, default: [:]][b, default: []].append(witness)
        witnessThreads.insert(witness.thread)
        let pairs = instancePairs[node]!
        // A path b -> ... -> a among instance pairs.
        var chain: [Witness] = [witness]
        var onPath: Set<UInt32> = [b]
        var budget = Self.searchBudget
        func dfs(_ x: UInt32) -> Bool {
            if chain.count > Self.maxCycleLength { return false }
            for (y, ws) in (pairs[x] ?? [:]).sorted(by: { $0.key < $1.key }) {
                for w in ws {
                    budget -= 1
                    if budget < 0 { return false }
                    guard waitsFor(chain.last!, w), chain.allSatisfy({ $0.compatible(with: w) }) else { continue }
                    if y == a {
                        guard waitsFor(w, witness) else { continue }
                        chain.append(w)
                        return true
                    }
                    if onPath.contains(y) { continue }
                    onPath.insert(y)
                    chain.append(w)
                    if dfs(y) { return true }
                    chain.removeLast()
                    onPath.remove(y)
                }
            }
            return false
        }
        guard dfs(b) else { return nil }
        let i = selfEdge(node, witness)
        // Once per class: the same inversion on other instances is the same bug.
        return FoundCycle(edges: chain.map { (i, $0) }, identity: [i])
    }

    private mutating func selfEdge(_ node: EventNode, _ witness: Witness) -> Int {
        if let i = selfEdges[node] { return i }
        let i = edges.count
        edges.append(Edge(from: node, to: node, witnesses: [witness]))
        witnessThreads.insert(witness.thread)
        selfEdges[node] = i
        // Not in the adjacency used by class-level cycle search: a class
        // nesting in itself says nothing without instances.
        return i
    }
}
