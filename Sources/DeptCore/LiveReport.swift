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
            let c = detector.classInfo(id)
            if c.keyKind == .staticObject { data.append(c.key) } else { code.append(c.key) }
        }
        for t in s.threads {
            if let b = t.blocked { code += detector.depot.pcs(b.stack); cls(b.cls); if let e = eventStack(b.cls) { code += detector.depot.pcs(e) } }
            for h in t.held { code += detector.depot.pcs(h.stack); cls(h.cls); if let e = eventStack(h.cls) { code += detector.depot.pcs(e) } }
            if let info = detector.threads[t.tid] { code += detector.depot.pcs(info.createStack) }
        }
        return (code, data)
    }

    /// Builds the report of a live verdict (nil for `.running`).
    public func buildLive(_ verdict: LiveVerdict, state s: LiveState, hangMs: Int,
                          dependsOn: (UInt32, UInt32) -> Bool = { _, _ in false },
                          symbolizer: inout some Symbolizing) -> Report? {
        let (code, data) = liveAddresses(s)
        let frames = symbolizer.frames(for: Array(Set(code)))
        let names = symbolizer.dataNames(for: Array(Set(data)))
        func stack(_ id: UInt32) -> [Frame] { detector.depot.pcs(id).map { frames[$0] ?? Frame(pc: $0) } }
        func name(_ cls: UInt32) -> String { className(cls, frames: frames, data: names) }
        func waitPoint(_ b: BlockedWait) -> Point {
            Point(operation: Self.operationName(b.op, kind: detector.classInfo(b.cls).kind), object: name(b.cls),
                  instance: b.inst, stack: stack(b.stack))
        }
        func title(_ tid: UInt32) -> String { threadRef(tid, frames: [:]).title }

        var blocked: [BlockedThread] = []
        for t in s.threads {
            guard let b = t.blocked else { continue }
            let ws = HangAnalysis.wakers(of: t, in: s, dependsOn: dependsOn)
            var detail: String
            if ws.isEmpty {
                detail = b.timed ? "timed wait" : "no thread known to wake it"
            } else {
                detail = ws.map { w -> String in
                    switch w.1 {
                    case .owns(let h) where h.isThreadBody && b.op != .join: return "\(title(w.0)) runs its initializer"
                    case .owns(let h) where h.isThreadBody: return "joins T\(w.0) (\(title(w.0)))"
                    case .owns: return "held by \(title(w.0))"
                    case .semaphoreTaker: return "taken by \(title(w.0)), not posted yet"
                    case .triggeredBefore: return "last triggered by \(title(w.0))"
                    case .mustFirstGet(let c): return "its event has always come after a wait for \(name(c)), which \(title(w.0)) is blocked on"
                    }
                }.joined(separator: "; ")
            }
            if b.timed { detail += " (has a timeout)" }
            if b.shared { detail += " (process-shared: another process may end it)" }
            blocked.append(BlockedThread(thread: threadRef(t.tid, frames: frames), waitsFor: waitPoint(b), detail: detail, blockedMs: b.ms))
        }

        switch verdict {
        case .running, .stall:
            return nil
        case .hang:
            let minMs = s.threads.compactMap { $0.blocked?.ms }.min() ?? hangMs
            let key = Self.key(blocked.map { Context(label: "", thread: $0.thread, start: $0.waitsFor, wait: $0.waitsFor, event: $0.waitsFor) })
            var r = Report(kind: .hang, pid: pid, contexts: [], key: key, summaryFrame: blocked.first?.waitsFor.stack.first)
            r.blocked = blocked
            r.hangMs = minMs
            r.modules = symbolizer.modules()
            return r
        case .deadlock(let cycle, _):
            let byTid = Dictionary(uniqueKeysWithValues: s.threads.map { ($0.tid, $0) })
            var contexts: [Context] = []
            for (i, tid) in cycle.enumerated() {
                guard let t = byTid[tid], let b = t.blocked else { continue }
                // The thread before this one in the cycle waits for something
                // this thread must do: that is this context's [S]..[E].
                let pred = byTid[cycle[(i + cycle.count - 1) % cycle.count]]!
                let predWait = pred.blocked!
                let reason = HangAnalysis.wakers(of: pred, in: s, dependsOn: dependsOn).first { $0.0 == tid }?.1
                var start = waitPoint(b), event = waitPoint(predWait)
                let kind = detector.classInfo(predWait.cls).kind
                switch reason {
                case .owns(let h)?:
                    start = Point(operation: Self.operationName(h.op, kind: detector.classInfo(h.cls).kind), object: name(h.cls),
                                  instance: h.inst, stack: stack(h.stack))
                    event = Point(operation: Self.operationName(Self.eventOperation(for: detector.classInfo(h.cls).kind), kind: detector.classInfo(h.cls).kind),
                                  object: name(h.cls), instance: h.inst, stack: eventStack(h.cls).map(stack) ?? [])
                default:
                    event = Point(operation: Self.operationName(Self.eventOperation(for: kind), kind: kind), object: name(predWait.cls),
                                  instance: predWait.inst, stack: eventStack(predWait.cls).map(stack) ?? [])
                }
                contexts.append(Context(label: label(i), thread: threadRef(tid, frames: frames), start: start, wait: waitPoint(b), event: event))
            }
            var r = Report(kind: .deadlock, pid: pid, contexts: contexts, key: Self.key(contexts),
                           summaryFrame: contexts.first?.wait.stack.first)
            r.blocked = blocked
            r.modules = symbolizer.modules()
            return r
        }
    }

    /// The `DEPT: warning: stall:` dump.
    public func stallWarning(state s: LiveState, stallMs: Int, symbolizer: inout some Symbolizing) -> String {
        var r = buildLive(.hang, state: s, hangMs: stallMs, symbolizer: &symbolizer)!
        let stuckTids = Set(s.threads.filter { t in t.blocked.map { $0.canHangForever && $0.ms >= stallMs } ?? false }.map(\.tid))
        r.blocked = r.blocked.filter { stuckTids.contains($0.thread.tid) }
        var text = "DEPT: warning: stall: \(r.blocked.count) thread(s) blocked for more than \(stallMs) ms without a verdict (pid \(pid)); other threads may still wake them\n"
        for b in r.blocked {
            text += "thread \(b.thread.title) blocked for \(b.blockedMs) ms in \(b.waitsFor.text): \(b.detail)\n"
            text += b.waitsFor.stack.enumerated().map { TextReport.frame($1, $0) + "\n" }.joined()
        }
        return text
    }
}
