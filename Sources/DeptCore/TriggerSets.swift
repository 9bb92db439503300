/// What the events fired at each call site were seen depending on: a few
/// distinct sets of classes per (class, site), for OR-waits (CycleRules).
///
/// A waiter for a signal, post or write can be woken by any firing of that
/// event. When the path through a cycle is a dependency on a wait in the
/// signaller's history, and some firing of the same event was seen
/// depending on none of the cycle's classes, that firing is a way out of
/// the cycle. The site list of Detector.triggerSites answers this for other
/// call sites; this answers it for every site, the cycle's own included:
/// locks built from a mutex and a condvar release through one site for
/// every lock and every thread (perl's threads::shared), so "another site"
/// never exists there, while most releases depend on nothing but the
/// condvar's own mutex.
///
/// Bounded: up to `maxSetsPerSite` sets of up to `maxClassesPerSet`
/// classes per (class, site) (a larger set is unlikely to miss a cycle's
/// classes and is not kept); sets are kept as they come, so an early
/// narrow one stays.
public struct TriggerSets: Sendable {
    public struct Site: Hashable, Sendable {
        public var cls: UInt32
        public var site: UInt
    }
    private var sets = ClassSetLists<Site>(maxSets: Self.maxSetsPerSite, maxClasses: Self.maxClassesPerSet)
    public static let maxSetsPerSite = 8
    public static let maxClassesPerSet = 8

    public init() {}

    /// An event of `cls` fired at `site`, depending on waits of `classes`.
    public mutating func record(cls: UInt32, site: UInt, classes: [UInt32]) {
        guard site != 0 else { return }
        sets.record(Site(cls: cls, site: site), classes: classes)
    }

    /// A site that fired an event of `cls` depending on none of `classes`.
    public func siteWithout(cls: UInt32, sites: [UInt], classes: Set<UInt32>) -> UInt? {
        sites.first { s in sets.hasSet(Site(cls: cls, site: s), without: classes) }
    }
}
