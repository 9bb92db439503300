/// Nesting inside one class (DESIGN §4): a thread holds instance `a` of a
/// class while it waits for instance `b` of the same class. The class graph
/// cannot tell hand-over-hand on a list from an inversion, so the pairs of
/// instances decide: a loop of pairs a1 -> a2 -> ... -> a1, each wait really
/// waiting for the next hold, with observations that can coexist, is a
/// deadlock (the dining philosophers with 5 or 30 forks are one loop).
///
/// Cost. Per-bucket locks, page latches and tree-node locks nest thousands
/// of instances of one class, nearly always in one address order (an array
/// walked upwards, locks taken by address to avoid deadlock). A loop of
/// pairs must go up in address at least once and down at least once, so
/// while a class has only been nested in one direction no loop can close
/// and nothing is searched. Such a class keeps `keptOneWay` pairs as
/// evidence for a later inversion; after that, `hints` tell the shim that
/// pairs in that direction need not be sent at all (it answers them from
/// its memo), which keeps the nesting of huge consistent classes at the
/// cost of one comparison per acquisition. Recall cost, written down in
/// the README: an inversion against a pair the class no longer keeps is not
/// predicted (it is still caught live, if it hangs).
///
/// A class nested both ways is searched on every new pair, depth-first,
/// with a step budget and a length bound of `maxLoopLength` instances.
public struct SameClassNesting: Sendable {
    /// Pairs kept per class, beyond which new ones are counted as dropped.
    public static let maxPairsPerClass = 1 << 16
    /// Pairs a class nested in one address direction keeps before the shim
    /// is told to stop sending pairs in that direction.
    public static let keptOneWay = 4096
    /// The longest loop searched (instances).
    public static let maxLoopLength = 32
    /// Steps of one search (a step tries one observation of a pair).
    public static let searchBudget = 40_000

    /// Directions of the pairs of one class, by object address.
    public struct Directions: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let up = Directions(rawValue: 1)
        public static let down = Directions(rawValue: 2)
        /// A pair whose addresses are unknown or equal: it may belong to a
        /// loop in either direction.
        public static let unordered = Directions(rawValue: 4)
    }

    /// What the shim may skip for a class: pairs in these directions are
    /// known enough (raw values match DEPT_SAME_SKIP_* in dept_shim.h).
    public struct Hint: Sendable, Equatable {
        public var cls: UInt32
        public var skip: Directions
    }

    private struct ClassState: Sendable {
        /// from instance -> to instance -> the distinct observations.
        var pairs: [UInt32: [UInt32: [Witness]]] = [:]
        var count = 0
        var seen: Directions = []
        var skip: Directions = []
    }

    private var classes: [EventNode: ClassState] = [:]
    public private(set) var droppedPairs = 0
    /// Pairs kept, over all classes.
    public var pairCount: Int { classes.values.reduce(0) { $0 + $1.count } }
    /// Searches made, and those whose budget ran out (a loop may be missed).
    public private(set) var searches = 0
    public private(set) var exhaustedSearches = 0
    /// Hints not yet handed to the shim.
    public private(set) var pendingHints: [Hint] = []

    public init() {}

    public static func direction(_ w: Witness) -> Directions {
        let a = w.from.addr, b = w.wait.addr
        if a == 0 || b == 0 || a == b { return .unordered }
        return a < b ? .up : .down
    }

    /// Whether two links of an instance loop can hold what they hold at
    /// once. Their instances are concrete, so not only must their gates
    /// differ (a common gate lock), neither may hold the other's source as
    /// a gate: T1 read-holding c while T2 holds c for writing cannot both
    /// be in place (with mutexes such a loop always has a shorter real one
    /// through the outer context; with rwlock modes it need not). Modes
    /// are not compared, so two readers of one gate count as apart too.
    static func coexist(_ a: Witness, _ b: Witness) -> Bool {
        a.compatible(with: b) && !a.gates.contains(b.from.inst) && !b.gates.contains(a.from.inst)
    }

    static func waitsFor(_ w: Witness, _ next: Witness) -> Bool {
        w.wait.awaits.contains(next.from.shared ? .shared : .exclusive)
    }

    /// Records the pair of `witness` (source and target of one class, two
    /// instances); returns a loop of pairs it closes, in order, starting
    /// with `witness`.
    public mutating func add(node: EventNode, witness: Witness) -> [Witness]? {
        if classes[node] == nil { classes[node] = ClassState() }
        // In place: a copy of the state would copy every pair of the class.
        let r = Self.add(&classes[node]!, witness: witness)
        if let skip = r.hint { pendingHints.append(Hint(cls: node.cls, skip: skip)) }
        if r.dropped { droppedPairs += 1 }
        guard r.search, let pairs = classes[node]?.pairs else { return nil }
        return findLoop(in: pairs, closing: witness)
    }

    private static func add(_ state: inout ClassState, witness: Witness) -> (search: Bool, dropped: Bool, hint: Directions?) {
        let a = witness.from.inst, b = witness.wait.inst
        var hint: Directions? = nil
        let before = state.seen
        state.seen.insert(direction(witness))
        if state.seen != before, !state.skip.isEmpty,
           state.seen.contains(.unordered) || state.seen.isSuperset(of: [.up, .down]) {
            // Now nested both ways: every pair matters again.
            state.skip = []
            hint = []
        }
        let known = state.pairs[a]?[b] ?? []
        // Kept per distinct modes and gates, like the class-level edges'
        // observations: a repeat under other gates or modes is new evidence.
        if known.contains(where: { $0.from.shared == witness.from.shared && $0.wait.awaits == witness.wait.awaits
                                   && $0.gates == witness.gates }) {
            return (false, false, hint)
        }
        let oneWay = !state.seen.contains(.unordered) && state.seen != [.up, .down]
        if known.count >= DependencyGraph.maxWitnessesPerEdge || state.count >= maxPairsPerClass
            || (oneWay && state.count >= keptOneWay) {
            if oneWay && state.skip != state.seen {
                state.skip = state.seen
                hint = state.seen
            }
            return (false, true, hint)
        }
        state.count += 1
        state.pairs[a, default: [:]][b, default: []].append(witness)
        // A loop needs a pair going up and one going down (or one whose
        // direction is unknown).
        return (!oneWay, false, hint)
    }

    /// Steps of one `nests` query (a step follows one kept pair).
    public static let orderBudget = 4096

    /// Whether instance `a` of the class at `node` was seen held while `b`
    /// was waited for, directly or through a chain of kept pairs
    /// (a -> x -> ... -> b); nil when the search ran out of its budget
    /// before it knew. Order is used to silence, so a caller takes nil as
    /// "maybe" on both sides.
    public func nests(_ node: EventNode, _ a: UInt32, before b: UInt32) -> Bool? {
        guard a != b else { return false }
        guard let pairs = classes[node]?.pairs else { return false }
        var seen: Set<UInt32> = [a]
        var next: [UInt32] = [a]
        var budget = Self.orderBudget
        while let x = next.popLast() {
            for y in (pairs[x] ?? [:]).keys {
                budget -= 1
                if budget < 0 { return nil }
                if y == b { return true }
                if seen.insert(y).inserted { next.append(y) }
            }
        }
        return false
    }

    /// Whether the program was seen nesting objects of the class at `node`.
    public func nests(_ node: EventNode) -> Bool { classes[node]?.count ?? 0 > 0 }

    /// Hands over the hints queued since the last call.
    public mutating func takeHints() -> [Hint] {
        defer { pendingHints.removeAll() }
        return pendingHints
    }

    /// A path b -> ... -> a among the pairs, which with a -> b is a loop.
    /// Every link must coexist with the closing pair, so each instance's
    /// pairs are filtered against it once per search (the filtering counts
    /// against the budget): TSan's "lots of lock inversions" test nests 45
    /// instances in 45 rotations, every pair gated by the 43 others held,
    /// and each of its 2000 searches spent its whole budget walking pairs
    /// that could never join the closing one (8 s; now a pass over them).
    private mutating func findLoop(in pairs: [UInt32: [UInt32: [Witness]]], closing witness: Witness) -> [Witness]? {
        let a = witness.from.inst, b = witness.wait.inst
        var chain: [Witness] = [witness]
        var onPath: Set<UInt32> = [a, b]
        var budget = Self.searchBudget
        var exhausted = false
        var usable: [UInt32: [(to: UInt32, ws: [Witness])]] = [:]
        searches += 1
        func links(_ x: UInt32) -> [(to: UInt32, ws: [Witness])] {
            if let known = usable[x] { return known }
            var out: [(to: UInt32, ws: [Witness])] = []
            for (y, ws) in (pairs[x] ?? [:]).sorted(by: { $0.key < $1.key }) {
                budget -= ws.count
                let keep = ws.filter { Self.coexist(witness, $0) && (y != a || Self.waitsFor($0, witness)) }
                if !keep.isEmpty { out.append((to: y, ws: keep)) }
            }
            usable[x] = out
            return out
        }
        func dfs(_ x: UInt32) -> Bool {
            let next = links(x)
            if budget < 0 { exhausted = true; return false }
            for (y, ws) in next {
                for w in ws {
                    budget -= 1
                    if budget < 0 { exhausted = true; return false }
                    guard Self.waitsFor(chain.last!, w), chain.dropFirst().allSatisfy({ Self.coexist($0, w) }) else { continue }
                    if y == a {
                        chain.append(w)
                        return true
                    }
                    if onPath.contains(y) || chain.count + 1 >= Self.maxLoopLength { continue }
                    onPath.insert(y)
                    chain.append(w)
                    if dfs(y) { return true }
                    chain.removeLast()
                    onPath.remove(y)
                }
            }
            return false
        }
        let found = dfs(b)
        if exhausted { exhaustedSearches += 1 }
        return found ? chain : nil
    }
}
