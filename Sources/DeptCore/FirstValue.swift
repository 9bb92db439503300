extension Dictionary {
    /// The value for `key`, after inserting `value` when there is none: one
    /// hash of the key, where looking up and then inserting costs two. The
    /// core meets each new class, stack and edge once and does both then,
    /// tens of thousands of times in a program with thousands of classes.
    @inline(__always)
    mutating func firstValue(_ key: Key, or value: Value) -> Value {
        Self.current(&self[key, default: value])
    }

    /// Reading through `inout` makes the defaulted subscript's modify
    /// accessor run, which keeps the default it inserted.
    @inline(__always)
    private static func current(_ v: inout Value) -> Value { v }
}
