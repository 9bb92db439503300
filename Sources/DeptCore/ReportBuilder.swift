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

    /// The name of the timed form of a wait operation.
    static func timedName(_ op: String) -> String {
        switch op {
        case "pthread_cond_wait": return "pthread_cond_timedwait"
        case "sem_wait": return "sem_timedwait"
        case "pthread_join": return "pthread_timedjoin_np"
        case "pthread_mutex_lock": return "pthread_mutex_timedlock"
        case "pthread_rwlock_rdlock": return "pthread_rwlock_timedrdlock"
        case "pthread_rwlock_wrlock": return "pthread_rwlock_timedwrlock"
        default: return op + " (timed)"
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
            let n = nameAddresses(of: id)
            code += n.code; data += n.data
        }
        for l in evidence.links {
            stack(l.witness.from.stack); stack(l.witness.wait.stack)
            cls(l.from.cls); cls(l.to.cls)
            for (c, a) in [(l.from.cls, l.witness.from.addr), (l.to.cls, l.witness.wait.addr)]
            where a != 0 && detector.classInfo(c).object != 0 { data.append(a) }
            if let s = l.witness.start { stack(s.stack); cls(s.cls) }
            if let e = l.witness.event { stack(e.stack) }
            if let e = eventStack(l.from.cls, thread: l.witness.thread) { stack(e.stack) }
            if let t = detector.threads[l.witness.thread] { stack(t.createStack) }
        }
        return (code, data)
    }

    func eventStack(_ cls: UInt32) -> UInt32? {
        let op = Self.eventOperation(for: detector.classInfo(cls).kind)
        guard let sites = detector.eventSites[cls] else { return nil }
        return sites[op] ?? sites.earliest
    }

    /// The [E] stack of a context of `thread`: that thread's own release or
    /// trigger of the class when it was seen; else the first one seen
    /// anywhere, with the thread that did it (`by`, 0 when unknown).
    func eventStack(_ cls: UInt32, thread: UInt32) -> (stack: UInt32, by: UInt32?)? {
        if let own = detector.threadEventSites[thread]?[cls] { return (own, nil) }
        guard let s = eventStack(cls) else { return nil }
        var by: UInt32 = 0
        for (tid, sites) in detector.threadEventSites where sites[cls] == s && (by == 0 || tid < by) { by = tid }
        return (s, by == thread ? nil : by)
    }

    /// "T2" or "another thread", for an [E] stack taken elsewhere.
    func threadWord(_ tid: UInt32?) -> String? {
        guard let tid else { return nil }
        return tid == 0 ? "another thread" : "T\(tid)"
    }

    /// The name of the object at `addr`, of class `id`: its own symbol when
    /// it is one of several static objects sharing an init-site class
    /// (`bucket+120` rather than the class's `bucket`); else the class's.
    public func objectName(_ id: UInt32, addr: UInt, frames: [UInt: Frame], data: [UInt: String]) -> String {
        if addr != 0, detector.classInfo(id).object != 0, let n = data[addr] { return n }
        return className(id, frames: frames, data: data)
    }

    /// Every address className(id) may read: the class's key and object,
    /// and, unless it is a static object, its stack, whose first frame
    /// outside the runtime names a class whose site is the runtime's (an
    /// object first used in main). Left unsymbolized, that frame read
    /// "first-use@+0x0".
    public func nameAddresses(of id: UInt32) -> (code: [UInt], data: [UInt]) {
        let c = detector.classInfo(id)
        var n = c.nameAddresses
        if c.keyKind != .staticObject { n.code += detector.depot.pcs(c.stack) }
        return n
    }

    public func className(_ id: UInt32, frames: [UInt: Frame], data: [UInt: String]) -> String {
        let c = detector.classInfo(id)
        switch c.keyKind {
        case .staticObject:
            if let n = data[c.key] { return n }
            return "0x" + String(c.key, radix: 16)
        case .initSite, .firstUse:
            if c.object != 0, let n = data[c.object] { return n }
            let prefix = c.kind == .thread || c.kind == .c11Thread ? "thread" : c.keyKind == .initSite ? "init" : "first-use"
            // A site inside the runtime (std::thread's pthread_create call,
            // an init wrapper in a library) names nothing: the first frame
            // of the class's stack outside the runtime does.
            if let f = frames[c.key], !f.isRuntime { return "\(prefix)@\(f.shortLocation)" }
            let first = detector.depot.pcs(c.stack).map { frames[$0] ?? Frame(pc: $0) }
            if let f = RuntimeFrames.best(first), !f.isRuntime { return "\(prefix)@\(f.shortLocation)" }
            if let f = frames[c.key] { return "\(prefix)@\(f.shortLocation)" }
            return "\(prefix)@0x" + String(c.key, radix: 16)
        }
    }

    /// The thread's short name in sentences.
    func threadName(_ tid: UInt32) -> String { "T\(tid)" }

    /// CycleEvidence.exitedThreads in words, for a lock-order cycle of
    /// several threads of which at least one still ran when it closed.
    static func exitedNote(_ exited: [UInt32], threads: [UInt32], lockOrder: Bool) -> String? {
        let all = Set(threads)
        let gone = exited.filter(all.contains)
        guard lockOrder, all.count > 1, !gone.isEmpty, gone.count < all.count else { return nil }
        let names = gone.map { "T\($0)" }
        let who = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
        var s = "\(who) had exited when this cycle closed"
        if gone.count == all.count - 1 {
            s += ": in this run the orders did not overlap; threads that take the locks in these orders at the same time can deadlock"
        }
        return s
    }

    public func build(_ evidence: CycleEvidence, kind: Report.Kind = .potential, symbolizer: inout some Symbolizing) -> Report {
        let (code, data) = addresses(evidence)
        let (symbolized, names) = symbolizer.symbols(code: Array(Set(code)), data: Array(Set(data)))
        let frames = detector.markingLockWrappers(symbolized)
        func stack(_ id: UInt32) -> [Frame] {
            detector.depot.pcs(id).map { frames[$0] ?? Frame(pc: $0) }
        }
        var contexts: [Context] = []
        var clauses: [ReportStory.Clause] = []
        for (i, l) in evidence.links.enumerated() {
            let fromClass = detector.classInfo(l.from.cls), toClass = detector.classInfo(l.to.cls)
            let fromName = objectName(l.from.cls, addr: l.witness.from.addr, frames: frames, data: names)
            let toName = objectName(l.to.cls, addr: l.witness.wait.addr, frames: frames, data: names)
            let info = detector.threads[l.witness.thread] ?? ThreadInfo(tid: l.witness.thread)
            let thread = ThreadRef(tid: info.tid, osTid: info.osTid, name: info.name, createdAt: stack(info.createStack))
            var startOp = l.witness.from.op, startName = fromName
            var eventOp = Self.eventOperation(for: fromClass.kind)
            var start = Point(operation: Self.operationName(startOp, kind: fromClass.kind), object: fromName,
                              instance: l.witness.from.inst, stack: stack(l.witness.from.stack))
            let site = eventStack(l.from.cls, thread: l.witness.thread)
            var event = Point(operation: Self.operationName(eventOp, kind: fromClass.kind), object: fromName,
                              instance: l.witness.from.inst, stack: site.map { stack($0.stack) } ?? [])
            event.stackThread = site.flatMap { threadWord($0.by) }
            if let s = l.witness.start {
                let k = detector.classInfo(s.cls).kind
                startOp = s.op
                startName = className(s.cls, frames: frames, data: names)
                start = Point(operation: Self.operationName(s.op, kind: k), object: startName, instance: s.inst, stack: stack(s.stack))
            }
            if let e = l.witness.event {
                eventOp = e.op
                event = Point(operation: Self.operationName(e.op, kind: fromClass.kind), object: fromName,
                              instance: e.inst, stack: stack(e.stack))
            }
            var waitName = Self.operationName(l.witness.wait.op, kind: toClass.kind)
            if l.witness.wait.isTimed { waitName = Self.timedName(waitName) }
            let wait = Point(operation: waitName, object: toName,
                             instance: l.witness.wait.inst, stack: stack(l.witness.wait.stack))
            let clause = ReportStory.Clause(
                thread: threadName(info.tid), startOp: startOp, startObject: startName, startSite: ReportStory.site(start.stack),
                waitOp: l.witness.wait.op, waitObject: toName, waitSite: ReportStory.site(wait.stack),
                eventOp: eventOp, eventObject: fromName, eventSite: ReportStory.site(event.stack))
            var c = Context(label: label(i), thread: thread, start: start, wait: wait, event: event)
            c.sentence = ReportStory.clause(clause)
            contexts.append(c)
            clauses.append(clause)
        }
        var r = Report(kind: kind, pid: pid, contexts: contexts, key: Self.key(contexts),
                       summaryFrame: RuntimeFrames.best(contexts.first?.wait.stack ?? []))
        r.sentence = ReportStory.sentence(clauses)
        r.scenario = ReportStory.scenario(clauses, start: contexts.map { $0.start.text }, wait: contexts.map { $0.wait.text })
        if kind == .potential { r.family = ReportFamily.key(contexts) }
        if let note = Self.exitedNote(evidence.exitedThreads, threads: evidence.links.map { $0.witness.thread },
                                      lockOrder: clauses.allSatisfy { $0.isLockPair }) {
            r.notes.append(note)
        }
        finish(&r, symbolizer: &symbolizer)
        return r
    }

    /// The `verbosity=2` line of a cycle a rule silenced.
    public func silencedLine(_ s: SilencedCycle, symbolizer: inout some Symbolizing) -> String {
        var code: [UInt] = [], data: [UInt] = []
        for w in s.witnesses {
            for c in [w.from.cls, w.wait.cls] {
                let n = nameAddresses(of: c)
                code += n.code; data += n.data
            }
        }
        if case .otherTrigger(_, let site) = s.rule { code.append(site) }
        if case .woke(_, let d) = s.rule {
            let n = nameAddresses(of: d)
            code += n.code; data += n.data
        }
        let (frames, names) = symbolizer.symbols(code: Array(Set(code)), data: Array(Set(data)))
        func name(_ c: UInt32) -> String { className(c, frames: frames, data: names) }
        func thread(_ tid: UInt32) -> String { tid == 1 ? "T1 (main thread)" : "T\(tid)" }
        let ws = s.witnesses
        let cycle = ws.map { w in "\(thread(w.thread)) inside \(name(w.from.cls)) waits for \(name(w.wait.cls))" }
            .joined(separator: "; ")
        var why: String
        switch s.rule {
        case .eventSameThread: why = "its contexts are not different threads"
        case .eventOtherInstances: why = "its waits and events are on different objects"
        case .tokenRing: why = "a ring of events around an object created with tokens"
        case .wrapperInstances(let c):
            why = "\(name(c)) is made by a wrapper for unrelated objects, and the cycle enters and leaves it through different ones"
        case .oneRefinedClass(let c):
            why = "its classes are one class once refined by their init call strings, and the cycle enters and leaves \(name(c)) through different objects"
        case .instanceOrder(let c):
            why = "the cycle enters and leaves \(name(c)) through different objects, and the program nests those objects "
                + "in the order the cycle follows them, never the other way (instance order)"
        case .staticInstances(let c):
            why = "\(name(c)) stands for distinct objects in static storage initialised at one site, and the cycle enters and leaves it through different ones"
        case .happensBefore(let i, let v):
            let cur = ws[i], prev = ws[(i + ws.count - 1) % ws.count]
            // Whichever time the verdict read (the thread's last wait of any
            // kind, its last on that object, or a bound of its last on that
            // lock), its last wait for that object was no later. A wait in
            // the history of a signal or post is that one wait.
            let which = cur.from.isThreadBody ? "last wait" : "wait"
            why = "\(thread(cur.thread))'s \(which) for \(name(cur.wait.cls)) "
                + (v == .returnedBefore ? "returned" : "was ended by an event that happened")
                + " before \(thread(prev.thread)) started waiting for it (happens-before)"
        case .otherTrigger(let i, let site):
            let cur = ws[i]
            let f = frames[site].map { " (\($0.function ?? "??") \($0.shortLocation))" } ?? ""
            why = cur.event?.site == site
                ? "\(name(cur.from.cls)) is also signalled at the same place\(f) without depending on this cycle (OR-wait)"
                : "\(name(cur.from.cls)) is also signalled at another place\(f) that does not depend on this cycle (OR-wait)"
        case .woke(let i, let d):
            let cur = ws[i], prev = ws[(i + ws.count - 1) % ws.count]
            why = "\(thread(prev.thread)) woke a thread waiting on \(name(d)) before it waited for \(name(cur.from.cls)), "
                + "and a thread woken from \(name(d)) was seen to signal \(name(cur.from.cls)) depending on nothing in this cycle"
        case .announced(let i):
            let cur = ws[i]
            why = "\(thread(cur.thread)) had already signalled \(name(cur.from.cls)) on its way into "
                + "\(name(cur.wait.cls)), outside it"
        case .futexLockRelease(let i):
            let cur = ws[i]
            why = "\(name(cur.from.cls)) behaves as a futex lock: \(thread(cur.thread))'s wake of it is a release "
                + "whose take was not seen, so it needed nothing of \(name(cur.wait.cls))"
        case .conditionLockRelease(let i):
            let cur = ws[i], prev = ws[(i + ws.count - 1) % ws.count]
            why = "\(thread(cur.thread))'s signal of \(name(cur.from.cls)) releases a lock built on it, which it acquired "
                + "after \(name(cur.wait.cls)), and \(thread(prev.thread)) waits to acquire that lock"
        case .waiterSignalsToo(let i):
            let cur = ws[i], prev = ws[(i + ws.count - 1) % ws.count]
            let c = name(cur.from.cls), a = name(cur.wait.cls)
            why = "\(thread(prev.thread)) waits for \(c) holding \(a) and signals it holding \(a) too, as "
                + "\(thread(cur.thread)) does: a wait for \(c) made holding \(a) is ended by a thread that does not need \(a)"
        case .startedEarlier(let i):
            let cur = ws[i], prev = ws[(i + ws.count - 1) % ws.count]
            why = "\(thread(cur.thread)) had started its wait for \(name(cur.wait.cls)) before \(thread(prev.thread)) "
                + "started waiting for \(name(cur.from.cls))"
        }
        return "DEPT: info: not reported (\(s.rule.rule)): \(cycle): \(why)\n"
    }

    /// What every report gets last: the module map, the notes on missing
    /// debug information, the suppression line.
    func finish(_ r: inout Report, symbolizer: inout some Symbolizing) {
        r.modules = symbolizer.modules()
        var stacks: [[Frame]] = []
        for c in r.contexts { stacks += [c.start.stack, c.wait.stack, c.event.stack] }
        for b in r.blocked { stacks.append(b.waitsFor.stack); for h in b.holds { stacks.append(h.stack) } }
        var seen: Set<String> = []
        for s in stacks {
            for (_, f) in RuntimeFrames.shown(s) where f.file == nil && !f.module.isEmpty && !seen.contains(f.module) {
                seen.insert(f.module)
                if let hint = symbolizer.debugHint(module: f.module) { r.notes.append(hint) }
            }
        }
        r.suppression = Self.suppression(for: r.summaryFrame)
    }

    /// `deadlock:<function>` for the frame the report points at (its file,
    /// else its module, when the function is unknown).
    public static func suppression(for frame: Frame?) -> String? {
        guard let f = frame else { return nil }
        if let fn = f.function { return "deadlock:" + FunctionName.base(fn) }
        if let file = f.file { return "deadlock:" + RuntimeFrames.fileName(file) }
        if !f.module.isEmpty { return "deadlock:" + RuntimeFrames.fileName(f.module) }
        return nil
    }

    /// The part of a key one context (or one blocked thread) contributes:
    /// its operations, classes and wait site (module and function of the
    /// [W]), so the same shape in another program or function differs.
    static func keyPart(_ start: Point, _ wait: Point) -> String {
        var site = ""
        if let f = RuntimeFrames.best(wait.stack) {
            site = "@\(RuntimeFrames.fileName(f.module)):\(f.function ?? "")"
        }
        return "\(start.text)>\(wait.text)\(site)"
    }

    static func fnv(_ text: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// FNV-1a over the cycle's parts, rotated to a canonical start so the
    /// same cycle found from another edge has the same key.
    public static func key(_ contexts: [Context]) -> String {
        let parts = contexts.map { keyPart($0.start, $0.wait) }
        guard !parts.isEmpty else { return "0000000000000000" }
        return cycleHash(parts)
    }

    /// FNV-1a of `prefix` and the parts of a cycle joined from the
    /// rotation that sorts first: the same wherever the cycle was entered.
    static func cycleHash(_ parts: [String], prefix: String = "") -> String {
        let rotations = parts.indices.map { Array(parts[$0...] + parts[..<$0]).joined(separator: "|") }
        return fnv(prefix + rotations.min()!)
    }

    /// The key of a hang: the blocked threads are a set, not a cycle, and
    /// the order the monitor finds them in changes from run to run.
    public static func hangKey(_ blocked: [BlockedThread]) -> String {
        let parts = blocked.map { keyPart($0.waitsFor, $0.waitsFor) }.sorted()
        guard !parts.isEmpty else { return "0000000000000000" }
        return fnv("hang|" + parts.joined(separator: "|"))
    }
}
