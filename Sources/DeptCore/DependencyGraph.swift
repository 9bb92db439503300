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
    private var instancePairs: [EventNode: [UInt32: [UInt32: Witness]]] = [:]
    private var selfEdges: [EventNode: Int] = [:]
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
        let allGates = held.filter { !$0.isThreadBody }.map(\.inst)
        for h in held {
            found += addDependency(thread: thread, from: h, wait: wait, gates: allGates.filter { $0 != h.inst })
        }
        return found
    }

    /// One dependency: the event of `from` waits for `wait`, observed while
    /// the thread also held `gates`.
    public mutating func addDependency(thread: UInt32, from h: HeldContext, wait: WaitPoint, gates: [UInt32]) -> [FoundCycle] {
        var found: [FoundCycle] = []
        if wait.isTimed { return found }
        let w = Witness(thread: thread, from: h, wait: wait, gates: gates.sorted())
        let from = h.node
        for target in wait.nodes {
            if h.cls == wait.cls && from == target {
                if let c = addSameClass(node: from, witness: w) { found.append(c) }
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
            return i
        }
        let i = edges.count
        edges.append(Edge(from: from, to: to, witnesses: [witness]))
        adjacency[from, default: [:]][to] = i
        return i
    }

    /// Depth-first search for a path from the new edge's target back to its
    /// source whose observations can coexist.
    private func findCycle(closing index: Int, with witness: Witness) -> FoundCycle? {
        let start = edges[index].to, goal = edges[index].from
        var visited: Set<EventNode> = [start]
        var path: [(edge: Int, witness: Witness)] = [(index, witness)]

        func dfs(_ node: EventNode) -> Bool {
            if path.count > Self.maxCycleLength { return false }
            guard let next = adjacency[node] else { return false }
            for (to, e) in next.sorted(by: { $0.key < $1.key }) {
                if to == goal {
                    if let w = pick(e) { path.append((e, w)); return true }
                    continue
                }
                if visited.contains(to) { continue }
                visited.insert(to)
                if let w = pick(e) {
                    path.append((e, w))
                    if dfs(to) { return true }
                    path.removeLast()
                }
            }
            return false
        }
        func pick(_ e: Int) -> Witness? {
            edges[e].witnesses.first { w in path.allSatisfy { $0.witness.compatible(with: w) } }
        }
        guard dfs(start) else { return nil }
        return FoundCycle(edges: path, identity: path.map(\.edge).sorted())
    }

    /// Same-class nesting (`a` held while waiting for `b`, both of one class).
    /// Reported only when the instance pairs close a cycle.
    private mutating func addSameClass(node: EventNode, witness: Witness) -> FoundCycle? {
        let a = witness.from.inst, b = witness.wait.inst
        if a == b {
            // Waiting for an instance this very thread holds: only it could
            // release it. A cycle of one event.
            if witness.wait.flags & (WaitPoint.recursiveFlag | WaitPoint.errorcheckFlag) != 0 { return nil }
            let i = selfEdge(node, witness)
            return FoundCycle(edges: [(i, witness)], identity: [i, -1 - Int(a)])
        }
        var pairs = instancePairs[node, default: [:]]
        if pairs[a]?[b] != nil { return nil }
        if pairs.values.reduce(0, { $0 + $1.count }) >= Self.maxInstancePairsPerClass {
            droppedInstancePairs += 1
            return nil
        }
        pairs[a, default: [:]][b] = witness
        instancePairs[node] = pairs
        // Path b -> ... -> a among instance pairs, with coexisting observations.
        var chain: [Witness] = [witness]
        var seen: Set<UInt32> = [b]
        func dfs(_ x: UInt32) -> Bool {
            if chain.count > Self.maxCycleLength { return false }
            for (y, w) in (pairs[x] ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard chain.allSatisfy({ $0.compatible(with: w) }) else { continue }
                if y == a { chain.append(w); return true }
                if seen.contains(y) { continue }
                seen.insert(y)
                chain.append(w)
                if dfs(y) { return true }
                chain.removeLast()
            }
            return false
        }
        guard dfs(b) else { return nil }
        let i = selfEdge(node, witness)
        let insts = chain.map { Int($0.from.inst) }.sorted()
        return FoundCycle(edges: chain.map { (i, $0) }, identity: [i] + insts.map { -1 - $0 })
    }

    private mutating func selfEdge(_ node: EventNode, _ witness: Witness) -> Int {
        if let i = selfEdges[node] { return i }
        let i = edges.count
        edges.append(Edge(from: node, to: node, witnesses: [witness]))
        selfEdges[node] = i
        // Not in the adjacency used by class-level cycle search: a class
        // nesting in itself says nothing without instances.
        return i
    }
}
