/// A few small sets of classes per key, kept as they come: what events
/// fired in one situation (a call site, a wake-up) were seen depending on.
/// The rules that read them ask one thing: did some firing there depend on
/// none of a cycle's classes (a way out the cycle does not block).
///
/// Bounded: up to `maxSets` sets of up to `maxClasses` classes per key (a
/// larger set is unlikely to miss a cycle's classes and is not kept); an
/// early narrow set stays, so the answer only ever turns from no to yes.
struct ClassSetLists<Key: Hashable & Sendable>: Sendable {
    private var sets: [Key: [[UInt32]]] = [:]
    let maxSets: Int
    let maxClasses: Int

    init(maxSets: Int, maxClasses: Int) {
        self.maxSets = maxSets; self.maxClasses = maxClasses
    }

    mutating func record(_ key: Key, classes: [UInt32]) {
        guard classes.count <= maxClasses else { return }
        var set: [UInt32] = []
        for c in classes.sorted() where set.last != c { set.append(c) }
        var list = sets[key] ?? []
        if list.count >= maxSets || list.contains(set) { return }
        list.append(set)
        sets[key] = list
    }

    /// Whether some set recorded under `key` holds none of `classes`.
    func hasSet(_ key: Key, without classes: Set<UInt32>) -> Bool {
        guard let list = sets[key] else { return false }
        return list.contains { set in !set.contains(where: { classes.contains($0) }) }
    }
}
