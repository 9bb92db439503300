/// What a process's symbolizer already answered, kept from one printing to
/// the next.
///
/// Every report, warning and `verbosity=2` line is printed by its own flush,
/// and each flush used to start llvm-symbolizer afresh (twice when it named
/// static objects too). A helper start reads the modules' debug information
/// anew, about 40 ms with glibc's installed: gst-launch, whose pipeline
/// threads make some thirty held-back cycles over a handful of classes,
/// took 1.3-1.9 s under `verbosity=2` (what `dept run` sets) against 0.25 s
/// without it, nearly all of it in 28 symbolizer starts. An address asked
/// once is answered from here.
///
/// An answer holds only while the address lies in the same module: after
/// a `dlclose`, another library (or a rebuilt one) may be mapped there. So
/// each answer keeps the module it was given for (path, base, build id),
/// and is used only while the address's module is that one.
public struct SymbolMemo: Sendable {
    /// A loaded module as an answer depends on it.
    struct Place: Equatable, Sendable {
        var path: String
        var base: UInt
        var buildID: String
        init(_ m: Module) { path = m.path; base = m.base; buildID = m.buildID }
    }

    private var code: [UInt: (place: Place, frame: Frame)] = [:]
    private var data: [UInt: (place: Place, name: String)] = [:]
    private var hints: [String: (place: Place, hint: String?)] = [:]

    /// Answers kept at most: a process that reports on millions of
    /// different addresses starts over rather than grow without bound.
    public let limit: Int

    public init(limit: Int = 1 << 16) { self.limit = limit }

    public var count: Int { code.count + data.count + hints.count }

    /// The frame answered for `pc`, if it was answered while `pc` lay in `module`.
    public func frame(at pc: UInt, in module: Module?) -> Frame? {
        guard let module, let e = code[pc], e.place == Place(module) else { return nil }
        return e.frame
    }

    /// The name answered for the static object at `addr` in `module`.
    public func dataName(at addr: UInt, in module: Module?) -> String? {
        guard let module, let e = data[addr], e.place == Place(module) else { return nil }
        return e.name
    }

    /// The debug hint answered for `module` (the inner nil: none to give).
    public func hint(for module: Module) -> String?? {
        guard let e = hints[module.path], e.place == Place(module) else { return nil }
        return .some(e.hint)
    }

    public mutating func remember(_ frame: Frame, at pc: UInt, in module: Module) {
        makeRoom()
        code[pc] = (Place(module), frame)
    }

    public mutating func remember(dataName name: String, at addr: UInt, in module: Module) {
        makeRoom()
        data[addr] = (Place(module), name)
    }

    public mutating func remember(hint: String?, for module: Module) {
        makeRoom()
        hints[module.path] = (Place(module), hint)
    }

    private mutating func makeRoom() {
        if count >= limit { code = [:]; data = [:]; hints = [:] }
    }
}
