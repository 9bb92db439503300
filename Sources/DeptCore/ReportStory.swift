/// The plain words of a report, built from its contexts: one clause per
/// context ("T3 takes accounts_lock (order.cpp:24) while holding
/// audit_lock (order.cpp:23)"), one sentence per report, and lockdep's
/// scenario for lock cycles. A reader should know what is wrong before the
/// first stack.
public enum ReportStory {
    /// One context, as the builder sees it: the operations behind its
    /// [S]/[W]/[E] strings.
    public struct Clause: Sendable {
        public var thread: String
        public var startOp: Operation
        public var startObject: String
        public var startSite: String
        public var waitOp: Operation
        public var waitObject: String
        public var waitSite: String
        public var eventOp: Operation
        public var eventObject: String
        public var eventSite: String
        public init(thread: String, startOp: Operation, startObject: String, startSite: String,
                    waitOp: Operation, waitObject: String, waitSite: String,
                    eventOp: Operation, eventObject: String, eventSite: String) {
            self.thread = thread; self.startOp = startOp; self.startObject = startObject; self.startSite = startSite
            self.waitOp = waitOp; self.waitObject = waitObject; self.waitSite = waitSite
            self.eventOp = eventOp; self.eventObject = eventObject; self.eventSite = eventSite
        }

        /// The context is a hold: [S] took the object whose release is [E].
        var isHold: Bool {
            startObject == eventObject && (startOp.isLockAcquisition || startOp == .semWait)
                && (eventOp == .unlock || eventOp == .semPost)
        }
        var isLockPair: Bool { isHold && waitOp.isLockAcquisition }
    }

    /// Where a point happened, in a few characters: `file:line` of its
    /// best frame, else its function, else module+offset.
    public static func site(_ stack: [Frame]) -> String {
        guard let f = RuntimeFrames.best(stack) else { return "no stack" }
        if f.file != nil && f.line > 0 { return f.shortLocation }
        if let fn = f.function { return "in " + FunctionName.base(fn) }
        return f.shortLocation
    }

    /// Just `line` when both sites are in one file (`order.cpp:13, 14`).
    static func sites(_ a: String, _ b: String) -> String {
        if let ca = a.lastIndex(of: ":"), let cb = b.lastIndex(of: ":"), a[..<ca] == b[..<cb] {
            return a + ", " + String(b[b.index(after: cb)...])
        }
        return a + ", " + b
    }

    /// What a thread does at a wait.
    public static func waitPhrase(_ op: Operation, _ object: String) -> String {
        switch op {
        case .lock, .wrlock, .trylock, .trywrlock, .timedlock: return "takes \(object)"
        case .rdlock, .tryrdlock: return "takes \(object) for reading"
        case .condWait: return "waits for a signal of \(object)"
        case .semWait, .semTrywait: return "waits for a post of \(object)"
        case .eventfdRead: return "waits for a write to \(object)"
        case .join: return "joins \(object)"
        default: return "waits for \(object)"
        }
    }

    /// What a thread holds from its [S] on.
    static func holdPhrase(_ op: Operation, _ object: String) -> String {
        switch op {
        case .rdlock, .tryrdlock: return "holding \(object) for reading"
        case .semWait, .semTrywait: return "holding \(object) (taken like a lock)"
        default: return "holding \(object)"
        }
    }

    /// The event a context owes the others.
    static func eventPhrase(_ op: Operation, _ object: String) -> String {
        switch op {
        case .condSignal: return "signals \(object)"
        case .condBroadcast: return "broadcasts \(object)"
        case .semPost: return "posts \(object)"
        case .eventfdWrite: return "writes to \(object)"
        case .threadExit: return "exits"
        case .unlock: return "releases \(object)"
        default: return "triggers \(object)"
        }
    }

    /// One clause per context.
    public static func clause(_ c: Clause) -> String {
        let wait = "\(c.thread) \(waitPhrase(c.waitOp, c.waitObject)) (\(c.waitSite))"
        if c.isHold { return wait + " while \(holdPhrase(c.startOp, c.startObject)) (\(c.startSite))" }
        if c.eventOp == .threadExit { return wait + " before it can exit" }
        return wait + " before it \(eventPhrase(c.eventOp, c.eventObject)) (\(c.eventSite))"
    }

    /// The sentence of a cycle: the clauses in order, the second of a
    /// two-lock inversion said the way people say it.
    public static func sentence(_ clauses: [Clause]) -> String {
        guard let first = clauses.first else { return "" }
        if clauses.count == 2 {
            let a = first, b = clauses[1]
            if a.isLockPair && b.isLockPair && a.startObject == b.waitObject && a.waitObject == b.startObject {
                let who = a.thread == b.thread ? "\(b.thread) also" : b.thread
                return clause(a) + "; \(who) takes them in the opposite order (\(sites(b.startSite, b.waitSite)))."
            }
        }
        return clauses.map(clause).joined(separator: "; ") + "."
    }

    /// lockdep's scenario for a cycle of locks: every thread takes its
    /// first lock, then each waits for the next one's. Nil when a context
    /// is not a hold of a lock (an event cycle reads better as sentences).
    public static func scenario(_ clauses: [Clause], start: [String], wait: [String]) -> [ScenarioStep] {
        guard clauses.count >= 2, clauses.count <= 4, clauses.allSatisfy({ $0.isHold }) else { return [] }
        var steps: [ScenarioStep] = []
        for i in clauses.indices { steps.append(ScenarioStep(column: i, text: start[i])) }
        for i in clauses.indices { steps.append(ScenarioStep(column: i, text: wait[i])) }
        return steps
    }
}
