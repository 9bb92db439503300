import XCTest
@testable import DeptCore

/// A small, deliberately naive model of the dependency rules of
/// DependencyGraph / Detector (DESIGN §2-§4), used by CorePropertyTests to
/// check the Detector on random streams. It keeps the whole history of
/// observations and answers "is there a cycle?" by exhaustive search, with
/// none of the Detector's shortcuts, caps or incremental bookkeeping.
///
/// Rules (`Rules.full`, the specification):
/// * **Observations at a wait.** A timed wait adds an observation that no
///   deadlock cycle may use (R2.7), and nothing within one class. Otherwise, for
///   EVERY held context `h` (thread bodies included), `h`'s event depends on
///   the waited event nodes: one observation per held context, whose gate set
///   is the instances of the non-thread-body held contexts, minus `h.inst`.
/// * **Observations at an event.** The dependencies chosen by
///   `EventRules.dependencies` (the rules themselves are pinned by
///   EventRulesTests); each untimed dependency on another class is an
///   observation from the event's (exclusive) node, gates = the instances of
///   the non-thread-body held contexts minus the dependency's start instance.
/// * **After-the-fact dependencies** (`Detector.dependency`): one
///   observation with the gates given.
/// * **Class-level cycle**: a closed walk over event nodes (class, shared)
///   whose observations have pairwise disjoint gate sets. (A closed walk with
///   pairwise disjoint gates contains a simple cycle with the same property,
///   so the search looks for simple cycles of 2...maxLength distinct nodes.
///   Nodes, not classes, are distinct: a cycle may pass through both the
///   exclusive and the shared release of one rwlock class, which is a real
///   deadlock, e.g. W1 holds r1 for writing and waits B; T2 holds B and
///   write-waits r2; R3 holds r2 for reading and waits C; T4 holds C and
///   waits r1.)
/// * **Same-class nesting**: an observation whose source and target have one
///   class is an instance pair (a -> b) with its modes. A loop of pairs
///   a1 -> a2 -> ... -> a1 over distinct instances, each wait awaiting the
///   mode in which the next pair's source is held, with pairwise disjoint
///   gates, is a cycle.
/// * **Self-wait**: an untimed wait for an instance the thread holds, not
///   flagged recursive/errorcheck, that awaits the mode of that hold. A
///   flagged wait for a held instance is no wait at all (the re-lock does
///   not block): no observation from any held context.
///
/// `Rules.detectorShortcuts` restricts the observations to those the
/// Detector documents that it keeps (innermost held context only, going on
/// past trylock/timed/semaphore/thread-body contexts; same-class nesting only
/// for the innermost held instance of the class; one observation per instance
/// pair, replaced when the modes change, ignored when they do not). It is a
/// diagnostic: a miss of the Detector that this variant shares is explained
/// by those shortcuts; one it does not share is a search or dedup bug.
struct ReferenceModel {
    struct Rules: Equatable {
        /// Which held contexts get an observation at a wait.
        var innermostOnly: Bool
        /// Instance pairs: keep every observation, or one per pair as the
        /// Detector does.
        var latestPairOnly: Bool
        /// With `innermostOnly`: also go on past contexts held shared (a
        /// diagnostic variant: the wait that took a read lock leads to the
        /// exclusive release node, not to the shared one the held context
        /// is, so the chain of the shortcut breaks there).
        var pastShared = false
        /// Instance loops: the held sets (source instance and gates) of the
        /// links must be pairwise disjoint, not only their gates. A loop is
        /// concrete instances, so two links that need one instance held at
        /// once cannot block together. The Detector reads loops this way
        /// (SameClassNesting.coexist: no gate is another link's source);
        /// the full rules compare gates only.
        var strictLoops = false
        /// A wait flagged recursive/errorcheck for an instance the thread
        /// holds never blocks (the re-lock succeeds, or fails with EDEADLK):
        /// it is no wait, for any held context. The Detector only exempts
        /// the self-wait itself and still records the other held contexts.
        var flaggedRelockIsNoWait = true
        static let full = Rules(innermostOnly: false, latestPairOnly: false)
        /// What the Detector implements now: every held context gets an
        /// observation (streams hold fewer than maxEdgesPerWait), every
        /// distinct pair observation is kept, flagged re-locks are no wait,
        /// instance loops are read strictly. With gates compared alone, a
        /// thread that held a1, waited for a2 and then waited for a1 again
        /// (a self-wait, reported) also made a loop a1 -> a2 -> a1 here,
        /// which the Detector rightly does not report: its second link holds
        /// a1, the first link's source.
        static let detectorShortcuts = Rules(innermostOnly: false, latestPairOnly: false, strictLoops: true, flaggedRelockIsNoWait: true)
        static let innermostOnlyRule = Rules(innermostOnly: true, latestPairOnly: false)
        static let innermostPastSharedRule = Rules(innermostOnly: true, latestPairOnly: false, pastShared: true)
        static let latestPairOnlyRule = Rules(innermostOnly: false, latestPairOnly: true)
        static let strict = Rules(innermostOnly: false, latestPairOnly: false, strictLoops: true)
    }

    /// An instance-pair observation within one class.
    struct Pair: Hashable {
        var a: UInt32
        var b: UInt32
        var fromShared: Bool
        var awaits: UInt16
        var gates: UInt64
        /// gates plus the source instance.
        var held: UInt64
        func waitsFor(_ next: Pair) -> Bool {
            EventModes(rawValue: awaits).contains(next.fromShared ? .shared : .exclusive)
        }
    }

    let rules: Rules
    let maxLength: Int

    /// Every observation made, exactly as the Detector would build its
    /// Witness for it (used to check the Detector's reports and graph).
    private(set) var witnesses: Set<Witness> = []
    /// Class-level observations: node -> node -> distinct gate sets.
    private(set) var classEdges: [EventNode: [EventNode: Set<UInt64>]] = [:]
    /// Instance pairs per class.
    private(set) var pairs: [UInt32: Set<Pair>] = [:]
    private var latestPair: [UInt32: [UInt32: [UInt32: Pair]]] = [:]
    /// Self-waits seen (class ids).
    private(set) var selfWaitClasses: Set<UInt32> = []
    /// Number of instances seen as gates (each gets one bit).
    private var gateBits: [UInt32: Int] = [:]
    /// Cycle status, recomputed lazily for what changed.
    private var classDirty = false
    private var classCycleCache = false
    private var loopCache: [UInt32: Bool] = [:]
    /// Set once more than 64 gate instances appear (the model then refuses
    /// to answer; the generator never gets there).
    private(set) var overflow = false

    init(rules: Rules = .full, maxLength: Int = DependencyGraph.maxCycleLength) {
        self.rules = rules
        self.maxLength = maxLength
    }

    // MARK: recording

    private mutating func mask(_ insts: [UInt32]) -> UInt64 {
        var m: UInt64 = 0
        for i in insts {
            let bit: Int
            if let b = gateBits[i] { bit = b } else {
                bit = gateBits.count
                gateBits[i] = bit
            }
            if bit >= 64 { overflow = true; continue }
            m |= 1 << UInt64(bit)
        }
        return m
    }

    /// The Detector's API: a wait starts while `held` is held.
    mutating func wait(thread: UInt32, held: [HeldContext], wait: WaitPoint) {
        if rules.flaggedRelockIsNoWait && wait.flags & (WaitPoint.recursiveFlag | WaitPoint.errorcheckFlag) != 0
            && held.contains(where: { $0.cls == wait.cls && $0.inst == wait.inst && !$0.isThreadBody }) {
            return
        }
        let pool = held.filter { !$0.isThreadBody }.map(\.inst)
        var sources: [HeldContext] = []
        if rules.innermostOnly {
            var sameClassDone = false
            for h in held.reversed() {
                if h.cls != wait.cls || !sameClassDone { sources.append(h) }
                if h.cls == wait.cls { sameClassDone = true }
                if h.isThreadBody || h.flags & (HeldContext.tryFlag | HeldContext.timedFlag | HeldContext.semFlag) != 0 {
                    continue
                }
                if rules.pastShared && h.shared { continue }
                break
            }
        } else {
            sources = held
        }
        for h in sources {
            observe(Witness(thread: thread, from: h, wait: wait, gates: pool.filter { $0 != h.inst }.sorted()))
        }
    }

    /// The Detector's API: an event, its dependencies chosen by EventRules.
    mutating func event(thread: UInt32, event: PointRef, held: [HeldContext], history: [HistoryWait],
                        window: UInt64?, release: Bool) {
        let deps = EventRules.dependencies(of: event, held: held, history: history, window: window, release: release)
        let pool = held.filter { !$0.isThreadBody }.map(\.inst)
        for d in deps where !d.wait.isTimed && d.wait.cls != event.cls {
            let from = HeldContext(cls: event.cls, inst: event.inst, stack: d.start.stack, op: event.op)
            observe(Witness(thread: thread, from: from, wait: d.wait, gates: pool.filter { $0 != d.start.inst }.sorted(),
                            start: d.start, event: event, clocks: d.clocks))
        }
    }

    /// The Detector's API: a dependency confirmed after the fact.
    mutating func dependency(thread: UInt32, from: HeldContext, wait: WaitPoint, gates: [UInt32]) {
        observe(Witness(thread: thread, from: from, wait: wait, gates: gates.sorted()))
    }

    private mutating func observe(_ w: Witness) {
        // A timed wait is kept as an observation (a cycle through it is
        // information, R2.7) but is never part of a deadlock; within one
        // class it is not kept at all.
        if w.wait.isTimed {
            if w.from.cls != w.wait.cls { witnesses.insert(w) }
            return
        }
        witnesses.insert(w)
        let gates = mask(w.gates)
        let held = gates | mask([w.from.inst])
        if w.from.cls == w.wait.cls {
            if w.wait.nodes.isEmpty { return }
            if w.from.inst == w.wait.inst {
                let flagged = w.wait.flags & (WaitPoint.recursiveFlag | WaitPoint.errorcheckFlag) != 0
                if !flagged && w.wait.awaits.contains(w.from.shared ? .shared : .exclusive) {
                    selfWaitClasses.insert(w.from.cls)
                }
                return
            }
            let p = Pair(a: w.from.inst, b: w.wait.inst, fromShared: w.from.shared, awaits: w.wait.awaits.rawValue,
                         gates: gates, held: held)
            if rules.latestPairOnly {
                if let old = latestPair[w.from.cls]?[p.a]?[p.b] {
                    if old.fromShared == p.fromShared && old.awaits == p.awaits { return }
                    pairs[w.from.cls]?.remove(old)
                    loopCache[w.from.cls] = nil
                }
                latestPair[w.from.cls, default: [:]][p.a, default: [:]][p.b] = p
            }
            if pairs[w.from.cls, default: []].insert(p).inserted { loopCache[w.from.cls] = nil }
            return
        }
        for to in w.wait.nodes {
            if classEdges[w.from.node, default: [:]][to, default: []].insert(gates).inserted { classDirty = true }
        }
    }

    // MARK: cycles

    /// Whether the observations recorded so far contain a cycle.
    mutating func hasCycle() -> Bool {
        !selfWaitClasses.isEmpty || hasClassCycle() || !instanceLoopClasses().isEmpty
    }

    /// Whether the class-level observations contain a cycle.
    mutating func hasClassCycle() -> Bool {
        if classDirty {
            classDirty = false
            classCycleCache = classCycle() != nil
        }
        return classCycleCache
    }

    /// Classes with an instance loop now.
    mutating func instanceLoopClasses() -> Set<UInt32> {
        var out: Set<UInt32> = []
        for c in pairs.keys {
            if loopCache[c] == nil { loopCache[c] = hasInstanceLoop(cls: c) }
            if loopCache[c]! { out.insert(c) }
        }
        return out
    }

    /// Classes that take part in some cycle of the model (for messages).
    mutating func cycleClasses() -> Set<UInt32> {
        var out = selfWaitClasses
        for c in pairs.keys where hasInstanceLoop(cls: c) { out.insert(c) }
        if let c = classCycle() { out.formUnion(c.map(\.cls)) }
        return out
    }

    /// A class-level cycle (its nodes in order), if there is one: exhaustive
    /// search over simple cycles, each rooted at its smallest node, trying
    /// every distinct gate set of every edge. Failed states (node, nodes on
    /// the path, gates used) are memoised, which is exact because the rest
    /// of the search depends on nothing else.
    func classCycle() -> [EventNode]? {
        let nodes = Set(classEdges.keys).union(classEdges.values.flatMap(\.keys)).sorted()
        var index: [EventNode: Int] = [:]
        for (i, n) in nodes.enumerated() { index[n] = i }
        precondition(nodes.count <= 64)
        for s in nodes.indices {
            var failed: Set<[UInt64]> = []
            var path: [EventNode] = [nodes[s]]
            func dfs(_ v: Int, _ onPath: UInt64, _ used: UInt64) -> Bool {
                let key = [UInt64(v), onPath, used]
                if failed.contains(key) { return false }
                for (toNode, gateSets) in classEdges[nodes[v]] ?? [:] {
                    let to = index[toNode]!
                    if to == s {
                        if gateSets.contains(where: { $0 & used == 0 }) { return true }
                        continue
                    }
                    if to < s || onPath & (1 << UInt64(to)) != 0 { continue }
                    // A cycle through `to` has at least path.count + 1 edges.
                    if path.count + 1 > maxLength { continue }
                    for g in gateSets where g & used == 0 {
                        path.append(toNode)
                        if dfs(to, onPath | (1 << UInt64(to)), used | g) { return true }
                        path.removeLast()
                    }
                }
                failed.insert(key)
                return false
            }
            if dfs(s, 1 << UInt64(s), 0) { return path }
        }
        return nil
    }

    /// A loop of instance pairs within class `cls`.
    func hasInstanceLoop(cls: UInt32) -> Bool {
        let list = Array(pairs[cls] ?? [])
        var insts: [UInt32: Int] = [:]
        for p in list { for i in [p.a, p.b] where insts[i] == nil { insts[i] = insts.count } }
        precondition(insts.count <= 64)
        let bySource = Dictionary(grouping: list.indices, by: { list[$0].a })
        let strict = rules.strictLoops
        func g(_ p: Pair) -> UInt64 { strict ? p.held : p.gates }
        for first in list.indices {
            let f = list[first]
            var failed: Set<[UInt64]> = []
            func dfs(_ cur: Int, _ visited: UInt64, _ used: UInt64, _ length: Int) -> Bool {
                let key = [UInt64(cur), visited, used]
                if failed.contains(key) { return false }
                for n in bySource[list[cur].b] ?? [] {
                    let p = list[n]
                    guard list[cur].waitsFor(p), g(p) & used == 0 else { continue }
                    if p.b == f.a {
                        if p.waitsFor(f) { return true }
                        continue
                    }
                    let bit = UInt64(1) << UInt64(insts[p.b]!)
                    if visited & bit != 0 || length + 1 >= SameClassNesting.maxLoopLength { continue }
                    if dfs(n, visited | bit, used | g(p), length + 1) { return true }
                }
                failed.insert(key)
                return false
            }
            let start = (UInt64(1) << UInt64(insts[f.a]!)) | (UInt64(1) << UInt64(insts[f.b]!))
            if dfs(first, start, g(f), 1) { return true }
        }
        return false
    }

    // MARK: checking a report

    /// Why `e` is not a cycle of this model (nil when it is one): every link
    /// is an observation the model recorded, the links close, and their
    /// observations can coexist (pairwise disjoint gates).
    func refute(_ e: CycleEvidence) -> String? {
        let links = e.links
        guard !links.isEmpty else { return "empty report" }
        for (i, l) in links.enumerated() where !witnesses.contains(l.witness) {
            return "link \(i) (\(l.from.cls)->\(l.to.cls)) carries an observation that never happened: \(l.witness)"
        }
        for i in links.indices {
            for j in links.indices where j > i {
                if !Set(links[i].witness.gates).isDisjoint(with: links[j].witness.gates) {
                    return "links \(i) and \(j) share a gate: \(links[i].witness.gates) / \(links[j].witness.gates)"
                }
            }
        }
        let sameClass = links.map { $0.from.cls == $0.to.cls }
        if sameClass.allSatisfy({ !$0 }) {
            guard links.count >= 2 else { return "class-level cycle of one link" }
            if Set(links.map(\.from)).count != links.count { return "class-level cycle repeats a node" }
            for (i, l) in links.enumerated() {
                let w = l.witness
                if w.from.node != l.from { return "link \(i): witness source \(w.from.node) is not the link's \(l.from)" }
                if !w.wait.nodes.contains(l.to) { return "link \(i): witness wait does not await \(l.to)" }
                if w.from.cls == w.wait.cls { return "link \(i): same-class observation in a class-level cycle" }
                if l.to != links[(i + 1) % links.count].from { return "link \(i) does not lead to link \(i + 1)" }
            }
            if links.count > maxLength + 1 { return "longer than maxCycleLength" }
            return nil
        }
        guard sameClass.allSatisfy({ $0 }) else { return "mixes class-level and same-class links" }
        let cls = links[0].from.cls
        guard links.allSatisfy({ $0.witness.from.cls == cls && $0.witness.wait.cls == cls }) else {
            return "same-class report over several classes"
        }
        if links.count == 1 {
            let w = links[0].witness
            guard w.from.inst == w.wait.inst else { return "one-link same-class cycle that is no self-wait" }
            if w.wait.isTimed { return "self-wait is timed" }
            if w.wait.flags & (WaitPoint.recursiveFlag | WaitPoint.errorcheckFlag) != 0 {
                return "self-wait on a recursive/errorcheck mutex"
            }
            if !w.wait.awaits.contains(w.from.shared ? .shared : .exclusive) {
                return "self-wait that does not await the held mode"
            }
            return nil
        }
        let ws = links.map(\.witness)
        if Set(ws.map(\.from.inst)).count != ws.count { return "instance loop repeats an instance" }
        for i in ws.indices {
            let w = ws[i], next = ws[(i + 1) % ws.count]
            if w.from.inst == w.wait.inst { return "self-wait inside an instance loop" }
            if w.wait.inst != next.from.inst { return "instance loop link \(i) does not lead to link \(i + 1)" }
            if !w.wait.awaits.contains(next.from.shared ? .shared : .exclusive) {
                return "instance loop link \(i) does not wait for the mode of link \(i + 1)'s hold"
            }
        }
        return nil
    }
}
