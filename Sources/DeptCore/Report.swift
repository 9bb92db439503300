/// A report as data: everything the text, JSON and SARIF renderings show.
/// Built once (symbolized), then printed; renderers never compute.
public struct Report: Sendable {
    public enum Kind: String, Sendable { case potential, deadlock, hang }

    public var kind: Kind
    public var pid: Int32
    /// One per link of the cycle (potential, deadlock) or per blocked thread (hang).
    public var contexts: [Context]
    /// Every blocked thread at the time of a live report (empty for potential).
    public var blocked: [BlockedThread] = []
    public var hangMs: Int = 0
    /// Stable across runs of the same code: the classes and operations of the cycle.
    public var key: String
    /// Cycles that wait at the same places (ReportFamily): one is printed,
    /// the others of a process are a line each. Nil for live reports and
    /// for a cycle with a wait no frame places.
    public var family: String? = nil
    /// Where the SUMMARY line points: the first frame outside the runtime
    /// (RuntimeFrames.best) of the first context's wait.
    public var summaryFrame: Frame?
    public var modules: [Module] = []
    /// One plain sentence: why the cycle closes, or what the blocked
    /// threads wait for and hold.
    public var sentence: String = ""
    /// lockdep's "possible unsafe locking scenario": one column per
    /// context, the steps of the interleaving that deadlocks (lock cycles).
    public var scenario: [ScenarioStep] = []
    /// How to get better names (a module without debug information), at
    /// most one per module.
    public var notes: [String] = []
    /// A suppression line that matches this report (`deadlock:<function>`).
    public var suppression: String? = nil

    public init(kind: Kind, pid: Int32, contexts: [Context], key: String, summaryFrame: Frame?) {
        self.kind = kind; self.pid = pid; self.contexts = contexts; self.key = key; self.summaryFrame = summaryFrame
    }

    public var headline: String {
        switch kind {
        case .potential: return "DEPT: potential deadlock: circular dependency of \(contexts.count) events (pid \(pid))"
        case .deadlock: return "DEPT: deadlock: \(contexts.count) threads wait for each other (pid \(pid))"
        case .hang: return "DEPT: hang: no thread made progress for \(hangMs) ms, \(blocked.count) threads blocked (pid \(pid))"
        }
    }

    public var summaryKind: String {
        switch kind { case .potential: return "potential deadlock"; case .deadlock: return "deadlock"; case .hang: return "hang" }
    }
}

/// One context of a cycle, in DEPT's [S]/[W]/[E] form.
public struct Context: Sendable {
    public var label: String
    public var thread: ThreadRef
    public var start: Point
    public var wait: Point
    public var event: Point
    /// This context in one plain clause ("T3 takes B (x.c:4) while holding
    /// A (x.c:3)").
    public var sentence: String = ""
    public init(label: String, thread: ThreadRef, start: Point, wait: Point, event: Point) {
        self.label = label; self.thread = thread; self.start = start; self.wait = wait; self.event = event
    }
}

/// A step of the scenario: what the thread of context `column` does.
public struct ScenarioStep: Sendable, Equatable {
    public var column: Int
    public var text: String
    public init(column: Int, text: String) { self.column = column; self.text = text }
}

/// A [S], [W] or [E]: an operation on an object (named by its class), with
/// the stack where it happened (or was first seen happening).
public struct Point: Sendable {
    public var operation: String
    public var object: String
    public var instance: UInt32
    public var stack: [Frame]
    /// Set when the stack was taken in another thread than the context's
    /// own (the context's thread was never seen doing this): that thread.
    public var stackThread: String? = nil
    public init(operation: String, object: String, instance: UInt32 = 0, stack: [Frame]) {
        self.operation = operation; self.object = object; self.instance = instance; self.stack = stack
    }
    public var text: String { "\(operation)(\(object))" }
}

public struct ThreadRef: Sendable {
    public var tid: UInt32
    public var osTid: Int32
    public var name: String?
    public var createdAt: [Frame]
    public init(tid: UInt32, osTid: Int32, name: String?, createdAt: [Frame]) {
        self.tid = tid; self.osTid = osTid; self.name = name; self.createdAt = createdAt
    }
    /// `T3` or `T3 "name"`: a column head, a word in a sentence.
    public var shortTitle: String {
        var s = "T\(tid)"
        if let n = name { s += " \"\(n)\"" }
        return s
    }
    public var title: String {
        var s = tid == 1 ? "T1 (main thread)" : "T\(tid)"
        if let n = name { s += " \"\(n)\"" }
        if osTid != 0 { s += " tid \(osTid)" }
        return s
    }
}

/// A thread blocked in an untimed wait, for live reports.
public struct BlockedThread: Sendable {
    public var thread: ThreadRef
    public var waitsFor: Point
    public var detail: String
    public var blockedMs: Int
    /// What it holds (locks, binary semaphores), each with the stack of its
    /// acquisition.
    public var holds: [Point] = []
    public init(thread: ThreadRef, waitsFor: Point, detail: String, blockedMs: Int) {
        self.thread = thread; self.waitsFor = waitsFor; self.detail = detail; self.blockedMs = blockedMs
    }
}

/// One stack frame, symbolized as far as possible.
public struct Frame: Sendable, Equatable {
    public var pc: UInt
    public var module: String
    public var offset: UInt
    public var function: String?
    public var file: String?
    public var line: Int
    /// A frame of a lock wrapper the program calls (`my_lock(m)`, Tcl_MutexLock,
    /// uv_mutex_lock): shown, but not the frame a report points at
    /// (RuntimeFrames.best), which is the wrapper's caller.
    public var wrapsLock = false
    public init(pc: UInt, module: String = "", offset: UInt = 0, function: String? = nil, file: String? = nil, line: Int = 0) {
        self.pc = pc; self.module = module; self.offset = offset; self.function = function; self.file = file; self.line = line
    }
    /// Part of the threading runtime (see RuntimeFrames).
    public var isRuntime: Bool { RuntimeFrames.isRuntime(self) }

    /// `file:line` with the directory dropped, or the module+offset.
    public var shortLocation: String {
        if let f = file, line > 0 { return "\(f.split(separator: "/").last.map(String.init) ?? f):\(line)" }
        return "\(module.split(separator: "/").last.map(String.init) ?? module)+0x\(String(offset, radix: 16))"
    }
}

public struct Module: Sendable {
    public var path: String
    public var base: UInt
    public var end: UInt
    public var buildID: String
    public init(path: String, base: UInt, end: UInt, buildID: String) {
        self.path = path; self.base = base; self.end = end; self.buildID = buildID
    }
}

/// Turns addresses into frames and data addresses into symbol names. The
/// runtime implements it with llvm-symbolizer/addr2line/dladdr; tests with
/// a table.
public protocol Symbolizing {
    /// Symbolizes code addresses (return addresses are passed as is; the
    /// implementation looks up pc-1 for them).
    mutating func frames(for pcs: [UInt]) -> [UInt: Frame]
    /// Names static objects.
    mutating func dataNames(for addrs: [UInt]) -> [UInt: String]
    /// Both at once. The runtime's asks its helper process once for both
    /// (a helper start is the cost of a report's printing: SymbolMemo).
    mutating func symbols(code: [UInt], data: [UInt]) -> (frames: [UInt: Frame], names: [UInt: String])
    func modules() -> [Module]
    /// How to get source lines for a module whose frames have none (which
    /// package carries its debug information, or how to build it); nil
    /// when there is nothing to advise.
    mutating func debugHint(module: String) -> String?
}

extension Symbolizing {
    public mutating func debugHint(module: String) -> String? { nil }
    public mutating func symbols(code: [UInt], data: [UInt]) -> (frames: [UInt: Frame], names: [UInt: String]) {
        (frames(for: code), dataNames(for: data))
    }
}
