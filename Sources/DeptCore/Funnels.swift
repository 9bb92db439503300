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

    /// Distinct next frames seen after each prefix (two make a funnel).
    private var next: [[UInt]: [UInt]] = [:]
    public private(set) var funnels: Set<[UInt]> = []
    /// Changes whenever a prefix becomes a funnel (the shim's memo of
    /// answers is valid within one generation).
    public private(set) var generation = 1
    /// Init call strings of instances, for refinement at report time.
    private var instanceCalls: [UInt32: [UInt]] = [:]
    public private(set) var droppedInstances = 0

    public init() {}

    /// Learns from one init call string (frame 0 is the init call site);
    /// `seed` marks frame 0 as a known wrapper's.
    public mutating func observe(_ callString: [UInt], seed: Bool = false) {
        guard let first = callString.first else { return }
        if seed, funnels.insert([first]).inserted { generation += 1 }
        let limit = min(callString.count, Self.maxDepth + 1)
        var d = 1
        while d < limit {
            let prefix = Array(callString[0..<d])
            let n = callString[d]
            var seen = next[prefix] ?? []
            if !seen.contains(n) && seen.count < 2 {
                seen.append(n)
                next[prefix] = seen
                if seen.count == 2, funnels.insert(prefix).inserted { generation += 1 }
            }
            d += 1
        }
    }

    public func isFunnel(_ prefix: [UInt]) -> Bool { funnels.contains(prefix) }

    /// How many leading frames of `callString` name its object's class.
    public func depth(of callString: [UInt]) -> Int {
        var depth = 1
        var d = 1
        while d < min(callString.count, Self.maxDepth) {
            if funnels.contains(Array(callString[0..<d])) { depth = d + 1 }
            d += 1
        }
        return depth
    }

    /// The class key an init call string gets now (the naming prefix).
    public func key(of callString: [UInt]) -> [UInt] { Array(callString.prefix(depth(of: callString))) }

    public mutating func remember(instance: UInt32, callString: [UInt]) {
        if instanceCalls[instance] == nil && instanceCalls.count >= Self.maxKeptInstances {
            droppedInstances += 1
            return
        }
        instanceCalls[instance] = callString
    }

    /// The refined key of an instance, if its init call string is known.
    public func refinedKey(of instance: UInt32) -> [UInt]? { instanceCalls[instance].map(key(of:)) }
}
