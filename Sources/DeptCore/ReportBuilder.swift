/// Builds symbolized reports from evidence. All addresses of one report are
/// symbolized in one batch (one symbolizer round trip per report).
public struct ReportBuilder {
    public var detector: Detector
    public var pid: Int32

    public init(detector: Detector, pid: Int32) {
        self.detector = detector
        self.pid = pid
    }

    static let labels = (65...90).map { String(UnicodeScalar(UInt8($0))) }

    public func label(_ i: Int) -> String { i < 26 ? Self.labels[i] : "\(Self.labels[i % 26])\(i / 26)" }

    /// The operation that is the event of a context of this class.
    static func eventOperation(for kind: ObjectKind) -> Operation {
        switch kind {
        case .mutex, .rwlock, .spinlock, .c11Mutex, .futexPI: return .unlock
        case .condition, .c11Condition: return .condSignal
        case .semaphore: return .semPost
        case .eventfd: return .eventfdWrite
        case .thread, .c11Thread: return .threadExit
        case .barrier: return .barrierWait
        case .once, .c11Once: return .onceDone
        case .futex: return .futexWake
        case .annotated: return .annotatedEvent
        }
    }

    public static func operationName(_ op: Operation, kind: ObjectKind) -> String {
        if let name = extendedOperationName(op, kind: kind) { return name }
        switch (kind, op) {
        case (.mutex, .lock): return "pthread_mutex_lock"
        case (.mutex, .trylock): return "pthread_mutex_trylock"
        case (.mutex, .timedlock): return "pthread_mutex_timedlock"
        case (.mutex, .unlock): return "pthread_mutex_unlock"
        case (.rwlock, .rdlock): return "pthread_rwlock_rdlock"
        case (.rwlock, .wrlock), (.rwlock, .lock): return "pthread_rwlock_wrlock"
        case (.rwlock, .tryrdlock): return "pthread_rwlock_tryrdlock"
        case (.rwlock, .trywrlock), (.rwlock, .trylock): return "pthread_rwlock_trywrlock"
        case (.rwlock, .timedlock): return "pthread_rwlock_timedlock"
        case (.rwlock, .unlock): return "pthread_rwlock_unlock"
        case (_, .condWait): return "pthread_cond_wait"
        case (_, .condSignal): return "pthread_cond_signal"
        case (_, .condBroadcast): return "pthread_cond_broadcast"
        case (_, .semWait): return "sem_wait"
        case (_, .semTrywait): return "sem_trywait"
        case (_, .semPost): return "sem_post"
        case (_, .eventfdRead): return "eventfd read"
        case (_, .eventfdWrite): return "eventfd write"
        case (_, .join): return "pthread_join"
        case (_, .threadStart): return "thread start"
        case (_, .threadExit): return "thread exit"
        case (.semaphore, .lock): return "sem_wait"
        case (.semaphore, .unlock): return "sem_post"
        default: return "\(op)"
        }
    }

    /// Names of the primitives beyond the pthread basics (C11 threads,
    /// spinlocks, barriers, once, futexes, annotations).
    static func extendedOperationName(_ op: Operation, kind: ObjectKind) -> String? {
        switch (kind, op) {
        case (.spinlock, .lock): return "pthread_spin_lock"
        case (.spinlock, .trylock): return "pthread_spin_trylock"
        case (.spinlock, .unlock): return "pthread_spin_unlock"
        case (_, .barrierWait): return "pthread_barrier_wait"
        case (.c11Once, .once): return "call_once"
        case (.c11Once, .onceInit): return "call_once function start"
        case (.c11Once, .onceDone): return "call_once function end"
        case (_, .once): return "pthread_once"
        case (_, .onceInit): return "pthread_once init start"
        case (_, .onceDone): return "pthread_once init end"
        case (.c11Mutex, .lock): return "mtx_lock"
        case (.c11Mutex, .trylock): return "mtx_trylock"
        case (.c11Mutex, .timedlock): return "mtx_timedlock"
        case (.c11Mutex, .unlock): return "mtx_unlock"
        case (.c11Mutex, .condWait), (.c11Condition, .condWait): return "cnd_wait"
        case (.c11Condition, .condSignal): return "cnd_signal"
        case (.c11Condition, .condBroadcast): return "cnd_broadcast"
        case (.c11Thread, .join): return "thrd_join"
        case (.futexPI, .lock): return "FUTEX_LOCK_PI"
        case (.futexPI, .trylock): return "FUTEX_TRYLOCK_PI"
        case (.futexPI, .unlock): return "FUTEX_UNLOCK_PI"
        case (_, .futexWait): return "FUTEX_WAIT"
        case (_, .futexWake): return "FUTEX_WAKE"
        case (.annotated, .lock): return "lock"
        case (.annotated, .rdlock): return "read lock"
        case (.annotated, .trylock): return "trylock"
        case (.annotated, .tryrdlock): return "read trylock"
        case (.annotated, .timedlock): return "timed lock"
        case (.annotated, .unlock): return "unlock"
        case (_, .annotatedWait): return "wait"
        case (_, .annotatedEvent): return "event"
        case (_, .annotatedEnter): return "enter"
        case (_, .annotatedExit): return "exit"
        default: return nil
        }
    }

    /// Collects every address a report will need.
    private func addresses(_ evidence: CycleEvidence) -> (code: [UInt], data: [UInt]) {
        var code: [UInt] = [], data: [UInt] = []
        func stack(_ id: UInt32) { code += detector.depot.pcs(id) }
        func cls(_ id: UInt32) {
            let c = detector.classInfo(id)
            if c.keyKind == .staticObject { data.append(c.key) } else { code.append(c.key) }
        }
        for l in evidence.links {
            stack(l.witness.from.stack); stack(l.witness.wait.stack)
            cls(l.from.cls); cls(l.to.cls)
            if let s = l.witness.start { stack(s.stack); cls(s.cls) }
            if let e = l.witness.event { stack(e.stack) }
            if let e = eventStack(l.from.cls) { stack(e) }
            if let t = detector.threads[l.witness.thread] { stack(t.createStack) }
        }
        return (code, data)
    }

    func eventStack(_ cls: UInt32) -> UInt32? {
        let op = Self.eventOperation(for: detector.classInfo(cls).kind)
        guard let sites = detector.eventSites[cls] else { return nil }
        return sites[op] ?? sites.values.min()
    }

    public func className(_ id: UInt32, frames: [UInt: Frame], data: [UInt: String]) -> String {
        let c = detector.classInfo(id)
        switch c.keyKind {
        case .staticObject:
            if let n = data[c.key] { return n }
            return "0x" + String(c.key, radix: 16)
        case .initSite, .firstUse:
            let prefix = c.kind == .thread || c.kind == .c11Thread ? "thread" : c.keyKind == .initSite ? "init" : "first-use"
            if let f = frames[c.key] { return "\(prefix)@\(f.shortLocation)" }
            return "\(prefix)@0x" + String(c.key, radix: 16)
        }
    }

    public func build(_ evidence: CycleEvidence, kind: Report.Kind = .potential, symbolizer: inout some Symbolizing) -> Report {
        let (code, data) = addresses(evidence)
        let frames = symbolizer.frames(for: Array(Set(code)))
        let names = symbolizer.dataNames(for: Array(Set(data)))
        func stack(_ id: UInt32) -> [Frame] {
            detector.depot.pcs(id).map { frames[$0] ?? Frame(pc: $0) }
        }
        var contexts: [Context] = []
        for (i, l) in evidence.links.enumerated() {
            let fromClass = detector.classInfo(l.from.cls), toClass = detector.classInfo(l.to.cls)
            let fromName = className(l.from.cls, frames: frames, data: names)
            let toName = className(l.to.cls, frames: frames, data: names)
            let info = detector.threads[l.witness.thread] ?? ThreadInfo(tid: l.witness.thread)
            let thread = ThreadRef(tid: info.tid, osTid: info.osTid, name: info.name, createdAt: stack(info.createStack))
            let eop = Self.eventOperation(for: fromClass.kind)
            var start = Point(operation: Self.operationName(l.witness.from.op, kind: fromClass.kind), object: fromName,
                              instance: l.witness.from.inst, stack: stack(l.witness.from.stack))
            var event = Point(operation: Self.operationName(eop, kind: fromClass.kind), object: fromName,
                              instance: l.witness.from.inst, stack: eventStack(l.from.cls).map(stack) ?? [])
            if let s = l.witness.start {
                let k = detector.classInfo(s.cls).kind
                start = Point(operation: Self.operationName(s.op, kind: k), object: className(s.cls, frames: frames, data: names),
                              instance: s.inst, stack: stack(s.stack))
            }
            if let e = l.witness.event {
                event = Point(operation: Self.operationName(e.op, kind: fromClass.kind), object: fromName,
                              instance: e.inst, stack: stack(e.stack))
            }
            contexts.append(Context(
                label: label(i), thread: thread, start: start,
                wait: Point(operation: Self.operationName(l.witness.wait.op, kind: toClass.kind), object: toName,
                            instance: l.witness.wait.inst, stack: stack(l.witness.wait.stack)),
                event: event))
        }
        var r = Report(kind: kind, pid: pid, contexts: contexts, key: Self.key(contexts),
                       summaryFrame: contexts.first?.wait.stack.first)
        r.modules = symbolizer.modules()
        return r
    }

    /// FNV-1a over the cycle's operations, classes and wait sites (module and
    /// function of each [W]), rotated to a canonical start so the same cycle
    /// found from another edge has the same key, while the same shape in
    /// another program or function does not.
    public static func key(_ contexts: [Context]) -> String {
        func site(_ p: Point) -> String {
            guard let f = p.stack.first else { return "" }
            let module = f.module.split(separator: "/").last.map(String.init) ?? f.module
            return "@\(module):\(f.function ?? "")"
        }
        let parts = contexts.map { "\($0.start.text)>\($0.wait.text)\(site($0.wait))" }
        guard !parts.isEmpty else { return "0000000000000000" }
        let rotations = parts.indices.map { Array(parts[$0...] + parts[..<$0]).joined(separator: "|") }
        let canonical = rotations.min()!
        var h: UInt64 = 0xcbf29ce484222325
        for b in canonical.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
