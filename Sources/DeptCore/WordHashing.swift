/// Keys the core hashes on its hot paths, hashed by a multiply-xorshift mix
/// of their words instead of the standard library's SipHash.
///
/// Why: the core meets every new class, stack, edge and init-call prefix
/// under the core lock, and each meeting is a few dictionary lookups. With
/// SipHash-1-3 a one-word key cost about 120 instructions to hash (seeding,
/// combining, finalising), more than the lookup itself: a fifth of the first
/// round of 10,000 new classes (`scale_classes 10000 1`) was hashing. The
/// keys here are class numbers, frame addresses and small indices that dept
/// itself or the program's code layout chose, not text an attacker supplies,
/// so the flooding resistance SipHash buys is not needed; a full-avalanche
/// 64-bit mix (the finaliser of MurmurHash3) spreads them well enough over
/// a power-of-two table.
///
/// A conforming type states its words once (`hashWord`); its `==` and
/// `hash(into:)` stay the synthesised ones. Only `_rawHashValue(seed:)`,
/// the entry point `Dictionary` and `Set` use, changes.
protocol WordHashable: Hashable {
    /// The key folded into one word; equal keys must fold equally.
    var hashWord: UInt64 { get }
}

extension WordHashable {
    @inline(__always)
    public func _rawHashValue(seed: Int) -> Int { Int(truncatingIfNeeded: WordMix.mix(hashWord, seed: seed)) }
}

enum WordMix {
    /// MurmurHash3's 64-bit finaliser over `word` and the table's seed.
    @inline(__always)
    static func mix(_ word: UInt64, seed: Int) -> UInt64 {
        var h = word ^ UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// Folds one more word into a running hash (for keys of several words,
    /// such as a stack's frames or an edge's two nodes); `mix` finishes it.
    /// The running hash is multiplied before the word joins it: xoring the
    /// two first made every pair of small numbers with the same xor (the
    /// nodes of classes n and n+1, for every n) one hash, and a dictionary
    /// of 10,000 such edges spent 110M instructions probing.
    @inline(__always)
    static func fold(_ h: UInt64, _ word: UInt64) -> UInt64 {
        (h &* 0x9E37_79B9_7F4A_7C15) ^ word
    }
}
