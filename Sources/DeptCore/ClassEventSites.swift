/// The first stack seen at each release or trigger operation of one class
/// (the [E] of a report).
///
/// Nearly every class has one such operation (a mutex's unlock, a
/// semaphore's post), so the first is kept inline and only further ones go
/// to a dictionary, which stays empty and unallocated otherwise: a
/// dictionary per class was allocated, grown and hashed for every new
/// class, a tenth of the core's time meeting 10,000 of them.
public struct ClassEventSites: Sendable {
    private let firstOp: Operation
    private let firstStack: UInt32
    private var others: [Operation: UInt32] = [:]

    init(_ op: Operation, _ stack: UInt32) {
        firstOp = op
        firstStack = stack
    }

    /// Keeps `stack` for `op` unless one is known already.
    mutating func record(_ op: Operation, _ stack: UInt32) {
        if op != firstOp { _ = others.firstValue(op, or: stack) }
    }

    public subscript(op: Operation) -> UInt32? { op == firstOp ? firstStack : others[op] }

    /// The lowest stack id among the operations (the earliest interned).
    public var earliest: UInt32 { others.values.reduce(firstStack) { min($0, $1) } }
}
