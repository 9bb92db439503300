/// A few lines of generic code, so that the compiler has something to do.
public struct Histogram<Key: Hashable & Comparable> {
    public private(set) var counts: [Key: Int] = [:]

    public init() {}

    public mutating func add(_ key: Key) { counts[key, default: 0] += 1 }

    public var sortedPairs: [(Key, Int)] { counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
}

public func collatzLength(_ start: Int) -> Int {
    var n = start, steps = 0
    while n != 1 {
        n = n % 2 == 0 ? n / 2 : 3 * n + 1
        steps += 1
    }
    return steps
}

public enum Checksum {
    /// FNV-1a over the decimal rendering of each value.
    public static func fnv1a<S: Sequence>(_ values: S) -> UInt64 where S.Element: CustomStringConvertible {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in values {
            for b in v.description.utf8 {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
        }
        return h
    }
}
