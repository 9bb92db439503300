/// Reports about the live state: a deadlock among blocked threads, a hang
/// of the whole process, a stall warning.
extension ReportBuilder {
    public func threadRef(_ tid: UInt32, frames: [UInt: Frame]) -> ThreadRef {
        let info = detector.threads[tid] ?? ThreadInfo(tid: tid)
        return ThreadRef(tid: tid, osTid: info.osTid, name: info.name,
                         createdAt: detector.depot.pcs(info.createStack).map { frames[$0] ?? Frame(pc: $0) })
    }

    private func liveAddresses(_ s: LiveState) -> (code: [UInt], data: [UInt]) {
        var code: [UInt] = [], data: [UInt] = []
        func cls(_ id: UInt32) {
            let n = nameAddresses(of: id)
            code += n.code; data += n.data
        }
        for t in s.threads {
            if let b = t.blocked {
                code += detector.depot.pcs(b.stack); cls(b.cls)
                if let e = eventStack(b.cls) { code += detector.depot.pcs(e) }
            }
            for h in t.held {
                code += detector.depot.pcs(h.stack); cls(h.cls)
                if let e = eventStack(h.cls, thread: t.tid) { code += detector.depot.pcs(e.stack) }
            }
            if let info = detector.threads[t.tid] { code += detector.depot.pcs(info.createStack) }
        }
        return (code, data)
    }

    /// Builds the report of a live verdict (nil for `.running`).
    public func buildLive(_ verdict: LiveVerdict, state s: LiveState, hangMs: Int,
                          dependsOn: (UInt32, UInt32) -> Bool = { _, _ in false },
                          symbolizer: inout some Symbolizing) -> Report? {
        let (code, data) = liveAddresses(s)
        let (symbolized, names) = symbolizer.symbols(code: Array(Set(code)), data: Array(Set(data)))
        let frames = detector.markingLockWrappers(symbolized)
        func stack(_ id: UInt32) -> [Frame] { detector.depot.pcs(id).map { frames[$0] ?? Frame(pc: $0) } }
        func name(_ cls: UInt32) -> String { className(cls, frames: frames, data: names) }
        func waitPoint(_ b: BlockedWait) -> Point {
            Point(operation: Self.operationName(b.op, kind: detector.classInfo(b.cls).kind), object: name(b.cls),
                  instance: b.inst, stack: stack(b.stack))
        }
        func heldPoint(_ h: HeldContext) -> Point {
            Point(operation: Self.operationName(h.op, kind: detector.classInfo(h.cls).kind), object: name(h.cls),
                  instance: h.inst, stack: stack(h.stack))
        }
        func title(_ tid: UInt32) -> String { threadRef(tid, frames: [:]).title }

        var blocked: [BlockedThread] = []
        var clauses: [(join: Bool, text: String)] = []
        // By thread number: the monitor finds threads in no fixed order, and
        // a report (its key, its SUMMARY) must read the same in every run.
        for t in s.threads.sorted(by: { $0.tid < $1.tid }) {
            guard let b = t.blocked else { continue }
            let ws = HangAnalysis.wakers(of: t, in: s, dependsOn: dependsOn)
            var detail: String
            var owner = ""
            if ws.isEmpty {
                detail = b.timed ? "timed wait" : "no thread known to wake it"
            } else {
                // The object's last two triggerers (wakers lists them one
                // after the other) make one clause, newest first ("last
                // triggered by T57, before that by T1"), not the same words
                // twice.
                var parts: [String] = []
                for (k, w) in ws.enumerated() {
                    if case .triggeredBefore = w.1, k > 0, case .triggeredBefore = ws[k - 1].1 {
                        parts[parts.count - 1] += ", before that by \(title(w.0))"
                        continue
                    }
                    switch w.1 {
                    case .owns(let h) where h.isThreadBody && b.op != .join: parts.append("\(title(w.0)) runs its initializer")
                    case .owns(let h) where h.isThreadBody: parts.append("joins T\(w.0) (\(title(w.0)))")
                    case .owns: parts.append("held by \(title(w.0))")
                    case .semaphoreTaker: parts.append("taken by \(title(w.0)), not posted yet")
                    case .triggeredBefore: parts.append("last triggered by \(title(w.0))")
                    case .mustFirstGet(let c):
                        parts.append("its event has always come after a wait for \(name(c)), which \(title(w.0)) is blocked on")
                    }
                }
                detail = parts.joined(separator: "; ")
                for w in ws {
                    switch w.1 {
                    case .owns(let h) where !h.isThreadBody: owner = ", held by \(threadName(w.0))"
                    case .semaphoreTaker: owner = ", taken by \(threadName(w.0))"
                    default: break
                    }
                }
            }
            if b.timed { detail += " (has a timeout)" }
            if b.shared { detail += " (process-shared: another process may end it)" }
            var entry = BlockedThread(thread: threadRef(t.tid, frames: frames), waitsFor: waitPoint(b), detail: detail, blockedMs: b.ms)
            entry.holds = t.held.filter { !$0.isThreadBody }.map(heldPoint)
            blocked.append(entry)
            var clause = "\(threadName(t.tid)) \(ReportStory.waitPhrase(b.op, entry.waitsFor.object)) (\(ReportStory.site(entry.waitsFor.stack)))\(owner)"
            if !entry.holds.isEmpty {
                clause += " while holding " + entry.holds.map { "\($0.object) (\(ReportStory.site($0.stack)))" }.joined(separator: ", ")
            }
            clauses.append((b.op == .join, clause))
        }
        // The SUMMARY points at the first thread whose wait is not a join
        // (a join waits for the others; it is rarely where the bug is).
        let lead = blocked.first { !$0.waitsFor.operation.hasSuffix("join") } ?? blocked.first

        switch verdict {
        case .running, .stall:
            return nil
        case .hang:
            let minMs = s.threads.compactMap { $0.blocked?.ms }.min() ?? hangMs
            var r = Report(kind: .hang, pid: pid, contexts: [], key: Self.hangKey(blocked),
                           summaryFrame: lead.flatMap { RuntimeFrames.best($0.waitsFor.stack) })
            r.blocked = blocked
            r.hangMs = minMs
            // Joins last: they wait for the others and rarely are the bug.
            r.sentence = (clauses.filter { !$0.join } + clauses.filter { $0.join }).map { $0.text }.joined(separator: "; ") + "."
            finish(&r, symbolizer: &symbolizer)
            return r
        case .deadlock(let cycle, _):
            var byTid: [UInt32: LiveThread] = [:]
            for t in s.threads { byTid[t.tid] = t }
            var contexts: [Context] = []
            var storyClauses: [ReportStory.Clause] = []
            for (i, tid) in cycle.enumerated() {
                guard let t = byTid[tid], let b = t.blocked else { continue }
                // The thread before this one in the cycle waits for something
                // this thread must do: that is this context's [S]..[E].
                let pred = byTid[cycle[(i + cycle.count - 1) % cycle.count]]!
                let predWait = pred.blocked!
                let reason = HangAnalysis.wakers(of: pred, in: s, dependsOn: dependsOn).first { $0.0 == tid }?.1
                var start = waitPoint(b), event = waitPoint(predWait)
                var startOp = b.op
                var eventOp = Self.eventOperation(for: detector.classInfo(predWait.cls).kind)
                let kind = detector.classInfo(predWait.cls).kind
                switch reason {
                case .owns(let h)?:
                    let hk = detector.classInfo(h.cls).kind
                    startOp = h.op
                    eventOp = Self.eventOperation(for: hk)
                    start = heldPoint(h)
                    let site = eventStack(h.cls, thread: tid)
                    event = Point(operation: Self.operationName(eventOp, kind: hk), object: name(h.cls), instance: h.inst,
                                  stack: site.map { stack($0.stack) } ?? [])
                    event.stackThread = site.flatMap { threadWord($0.by) }
                default:
                    let site = eventStack(predWait.cls, thread: tid)
                    event = Point(operation: Self.operationName(eventOp, kind: kind), object: name(predWait.cls),
                                  instance: predWait.inst, stack: site.map { stack($0.stack) } ?? [])
                    event.stackThread = site.flatMap { threadWord($0.by) }
                }
                let wait = waitPoint(b)
                var c = Context(label: label(i), thread: threadRef(tid, frames: frames), start: start, wait: wait, event: event)
                let clause = ReportStory.Clause(
                    thread: threadName(tid), startOp: startOp, startObject: start.object, startSite: ReportStory.site(start.stack),
                    waitOp: b.op, waitObject: wait.object, waitSite: ReportStory.site(wait.stack),
                    eventOp: eventOp, eventObject: event.object, eventSite: ReportStory.site(event.stack))
                c.sentence = ReportStory.clause(clause)
                contexts.append(c)
                storyClauses.append(clause)
            }
            var r = Report(kind: .deadlock, pid: pid, contexts: contexts, key: Self.key(contexts),
                           summaryFrame: RuntimeFrames.best(contexts.first?.wait.stack ?? []))
            r.blocked = blocked
            r.sentence = ReportStory.sentence(storyClauses)
            finish(&r, symbolizer: &symbolizer)
            return r
        }
    }

    /// Who may still end a stall, named: a thread that waits with no
    /// known waker ("no thread known to wake it") reads as stuck for good,
    /// while the compressor thread that will signal it is busy computing
    /// (zpaq, lrzip with blocks that take more than stall_ms). The threads
    /// blocked in no intercepted wait are those; when there are none, the
    /// threads in timed or process-shared waits are.
    static func mayWake(_ running: [String]) -> String {
        guard !running.isEmpty else { return "threads in timed or process-shared waits may still wake them" }
        let shown = running.prefix(4).joined(separator: ", ")
        let more = running.count > 4 ? " and \(running.count - 4) more" : ""
        return "still running, and may wake them: " + shown + more
    }

    /// The `DEPT: warning: stall:` dump: every thread of the stall
    /// (`HangAnalysis.stalled`: blocked past `hangMs`, not joining a running
    /// thread, one of them past `stallMs`), what it waits for and holds, its stack.
    /// `when` says why it is printed now ("when the process got SIGTERM"),
    /// if not because of the stall time.
    /// Nil when no thread is part of a stall (the threads blocked past
    /// `hangMs` all join running threads): there is nothing to explain.
    public func stallWarning(state s: LiveState, hangMs: Int, stallMs: Int, when: String? = nil,
                             symbolizer: inout some Symbolizing) -> String? {
        let stuckTids = Set(HangAnalysis.stalled(s, hangMs: hangMs, stallMs: stallMs).map { $0.tid })
        if stuckTids.isEmpty { return nil }
        var r = buildLive(.hang, state: s, hangMs: hangMs, symbolizer: &symbolizer)!
        r.blocked = r.blocked.filter { stuckTids.contains($0.thread.tid) }
        // The longest wait, not the threshold: the dump comes at stall_ms
        // (10 s), and "more than 1000 ms" (hang_ms) read as if it were
        // printed after one second, beside threads blocked ten times that.
        let longest = r.blocked.map { $0.blockedMs }.max() ?? hangMs
        var text = "DEPT: warning: stall: \(r.blocked.count) thread(s) blocked for up to \(longest) ms"
            + " (more than \(hangMs) ms each) without a verdict"
        if let when { text += " " + when }
        let running = s.threads.filter { $0.blocked == nil }.sorted { $0.tid < $1.tid }
        text += " (pid \(pid)); " + Self.mayWake(running.map { threadRef($0.tid, frames: [:]).title }) + "\n"
        for b in r.blocked { text += TextReport.blockedThread(b, style: TextReport.Style()) }
        return text
    }
}
