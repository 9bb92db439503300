/// Wrapper-initialised classes (PRECISION.md R1.2, R1.3).
///
/// A library often creates every one of its locks in one helper
/// (`uv_mutex_init`, a C++ `Mutex` constructor, an interpreter's lock
/// helper), often linked statically into the program, so the init call
/// site that names a class (DESIGN §4) is the same for unrelated locks, and
/// unrelated instance pairs close class cycles. The helper shows itself by
/// being reached from several places: a call string prefix (f1), (f1, f2),
/// ... that has been reached from two or more distinct next frames is a
/// *funnel*, and an object's class is named by its init call string up to
/// one frame past the deepest funnel on it (at most `maxDepth` frames).
/// The deepest, not the first: a wrapper is often reached through a chain
/// of helpers that each have one caller (GDAL: pthread_mutex_init in
/// CPLCreateMutexInternal, called only by CPLCreateOrAcquireMutexEx,
/// called only by the CPLMutexHolder constructor, called from everywhere),
/// so the frames before the funnel have one next frame each and name
/// nothing. Nothing is keyed on a name: a helper linked into the program
/// is found the same way as one in a library (the shim may seed the prefixes
/// of known wrapper libraries, which only makes them funnels sooner).
///
/// The shim captures init call strings for a sample of each site's objects
/// (and for every object of a site once it is a funnel) and asks for the
/// depth. Objects created before their site became a funnel keep the coarse
/// class; the cycle rules then require the instances entering and leaving
/// such a class to be the same object, or to have equal refined keys (R1.3).
/// Recall cost: unrelated objects created by one wrapper are no longer
/// predicted against each other across instances.
public struct Funnels: Sendable {
    public static let maxDepth = 8
    /// Init call strings kept per instance for refining coarse classes later.
    public static let maxKeptInstances = 1 << 16

    /// The prefixes seen, as a trie: a prefix is its parent prefix (-1 for
    /// none) plus one more frame, numbered in `prefixes`. Keyed by that
    /// step rather than by the prefix itself: observing a call string of
    /// depth d then costs d lookups of two words each, where keying by
    /// prefix arrays allocated, hashed and stored d arrays of up to d frames
    /// (a seventh of the first round of 10,000 new classes went there).
    ///
    /// Expanded lazily: a prefix that one continuation has passed so far
    /// keeps that call string (`tail`) instead of a chain of one-child
    /// prefixes below it, which is what nearly every init call string would
    /// otherwise add (5,000 init sites made 20,000 prefixes, and their
    /// table's growth was a tenth of the page faults of the first round of
    /// 10,000 new classes). The chain is made when a second call string
    /// comes through, down to where the two part; only prefixes two call
    /// strings passed can be funnels, and every prefix above one exists, so
    /// `depth(of:)` and `isFunnel` answer as with the whole trie.
    private struct Step: WordHashable {
        var parent: Int32
        var frame: UInt
        var hashWord: UInt64 { WordMix.fold(UInt64(UInt32(bitPattern: parent)), UInt64(frame)) }
    }
    private var steps: [Step: Int32] = [:]
    /// Per prefix: how many distinct next frames were seen after it (up
    /// to two, which make a funnel) and the first of them, whether it is a
    /// funnel (two next frames, or seeded), and the call string below it
    /// not expanded yet (an index in `tails`, -1 for none).
    private struct Prefix {
        var first: UInt = 0
        var count: UInt8 = 0
        var funnel = false
        var tail: Int32 = -1
    }
    private var prefixes: [Prefix] = []
    private var tails: [[UInt]] = []
    /// Changes whenever a prefix becomes a funnel (the shim's memo of
    /// answers is valid within one generation).
    public private(set) var generation = 1
    /// Init call strings of instances (and their `cut`), for refinement at
    /// report time.
    private var instanceCalls: [UInt32: (callString: [UInt], cut: Int)] = [:]
    public private(set) var droppedInstances = 0

    public init() {}

    /// The prefix `parent` + `frame`, made if new.
    private mutating func prefix(_ parent: Int32, _ frame: UInt) -> Int32 {
        let fresh = Int32(prefixes.count)
        let p = steps.firstValue(Step(parent: parent, frame: frame), or: fresh)
        if p == fresh { prefixes.append(Prefix()) }
        return p
    }

    private mutating func markFunnel(_ p: Int32) {
        if !prefixes[Int(p)].funnel {
            prefixes[Int(p)].funnel = true
            generation += 1
        }
    }

    /// Notes that `next` follows prefix `p`.
    private mutating func follow(_ p: Int32, with next: UInt) {
        let seen = prefixes[Int(p)]
        if seen.count < 2 && !(seen.count == 1 && seen.first == next) {
            if seen.count == 0 { prefixes[Int(p)].first = next } else { markFunnel(p) }
            prefixes[Int(p)].count += 1
        }
    }

    private static func limit(_ callString: [UInt]) -> Int { min(callString.count, maxDepth + 1) }

    /// Learns from one init call string (frame 0 is the init call site).
    /// Its first `seed` frames lie in a known wrapper library: each of
    /// them names nothing, so each prefix up to there is a funnel from the
    /// start. GLib's g_rec_mutex_init makes the mutex two frames deep in
    /// libglib; marking only the first, the first objects a program made
    /// were classed by the second (one class for whatever GLib made first)
    /// until a second caller of g_rec_mutex_init showed up, and kept that
    /// coarse class for life.
    public mutating func observe(_ callString: [UInt], seed: Int = 0) {
        guard let first = callString.first else { return }
        var p = prefix(-1, first)
        if seed > 0 { markFunnel(p) }
        let limit = Self.limit(callString)
        // The seeded frames' prefixes are made now, each followed by the
        // next frame as a passing call string would: only made prefixes
        // can be funnels.
        var s = p
        for d in 1..<max(1, min(seed, limit)) {
            follow(s, with: callString[d])
            s = prefix(s, callString[d])
            markFunnel(s)
        }
        var d = 1
        while d < limit {
            let n = callString[d]
            let alone = prefixes[Int(p)].count == 0
            follow(p, with: n)
            if d + 1 >= limit { break }
            if alone {
                // The first continuation: kept, not expanded.
                prefixes[Int(p)].tail = Int32(tails.count)
                tails.append(callString)
                break
            }
            let kept = prefixes[Int(p)].tail
            if kept >= 0 {
                let t = tails[Int(kept)]
                let tLimit = Self.limit(t)
                // The kept call string again, as far as prefixes go (one
                // site's objects): nothing new below.
                if tLimit == limit && t[d..<limit].elementsEqual(callString[d..<limit]) { break }
                // Another one passes: the kept one's next prefix is made,
                // and the kept call string moves down to it.
                prefixes[Int(p)].tail = -1
                let q = prefix(p, t[d])
                if d + 1 < tLimit {
                    follow(q, with: t[d + 1])
                    if d + 2 < tLimit { prefixes[Int(q)].tail = kept }
                }
            }
            p = prefix(p, n)
            d += 1
        }
    }

    /// The prefix `callString[0..<length]`, if it was ever seen.
    private func known(_ callString: [UInt], length: Int) -> Int32? {
        var p: Int32 = -1
        for i in 0..<length {
            guard let q = steps[Step(parent: p, frame: callString[i])] else { return nil }
            p = q
        }
        return p
    }

    public func isFunnel(_ prefix: [UInt]) -> Bool {
        guard !prefix.isEmpty, let p = known(prefix, length: prefix.count) else { return false }
        return prefixes[Int(p)].funnel
    }

    /// How many leading frames of `callString` name its object's class,
    /// when frame `cut` (if not 0) is the first after a call through a
    /// function pointer. Such a call is where generic code hands over to
    /// the code that decides what the object is: GObject's
    /// g_type_create_instance calls each type's instance_init, which makes
    /// the object's locks; a factory table, a plugin's constructor, a C++
    /// virtual call do the same. The frames past it say who asked for the
    /// object, and funnels among them (g_object_new is called from
    /// everywhere) would split one kind of lock into a class per creator:
    /// GStreamer's element state locks, all made on one line of
    /// gst_element_init, became classes named by the callers of the element
    /// factories and closed cycles through a tree of elements nested parent
    /// first. So the naming prefix stops there, provided it has passed a
    /// funnel by then: a call through a pointer inside the lock helper
    /// itself (SQLite's mutex methods table, pthreadMutexAlloc reached only
    /// through it) comes before anything names the lock, and the whole call
    /// string still decides.
    public func depth(of callString: [UInt], cut: Int = 0) -> Int {
        var depth = 1
        var p: Int32 = -1
        var d = 1
        while d < min(callString.count, Self.maxDepth) {
            if d == cut && depth >= 2 { return depth }
            // Nothing below a prefix the trie lacks can be a funnel: it was
            // never seen, or only one call string passed it (kept unexpanded).
            guard let q = steps[Step(parent: p, frame: callString[d - 1])] else { break }
            p = q
            if prefixes[Int(p)].funnel { depth = d + 1 }
            d += 1
        }
        return depth
    }

    /// The class key an init call string gets now (the naming prefix).
    public func key(of callString: [UInt], cut: Int = 0) -> [UInt] {
        Array(callString.prefix(depth(of: callString, cut: cut)))
    }

    public mutating func remember(instance: UInt32, callString: [UInt], cut: Int = 0) {
        if instanceCalls[instance] == nil && instanceCalls.count >= Self.maxKeptInstances {
            droppedInstances += 1
            return
        }
        instanceCalls[instance] = (callString, cut)
    }

    /// The refined key of an instance, if its init call string is known.
    public func refinedKey(of instance: UInt32) -> [UInt]? {
        instanceCalls[instance].map { key(of: $0.callString, cut: $0.cut) }
    }
}
