import CShim
import DeptCore
import Glibc

/// Prints what the core queued. Runs WITHOUT the core lock: symbolizing
/// walks the loader's module list and starts a helper process, and a thread
/// holding the loader lock may be waiting for the core lock. It works on a
/// snapshot of the detector (copy-on-write makes that cheap), and one
/// thread prints at a time.
@_cdecl("dept_core_flush")
func coreFlush() {
    dept_shim_report_lock()
    defer { dept_shim_report_unlock() }
    dept_shim_core_lock()
    let pending = runtime.detector.takePending()
    let liveReports = live.pending
    live.pending = []
    let snapshot = runtime.detector
    dept_shim_core_unlock_noflush()
    if pending.reports.isEmpty && pending.warnings.isEmpty && liveReports.isEmpty { return }

    var symbolizer = ProcessSymbolizer(options: runtime.options)
    let builder = ReportBuilder(detector: snapshot, pid: getpid())
    for evidence in pending.reports {
        let report = builder.build(evidence, symbolizer: &symbolizer)
        publish(report)
    }
    for w in pending.warnings {
        publishWarning(w, snapshot: snapshot, builder: builder, symbolizer: &symbolizer)
    }
    let opts = runtime.options
    for e in liveReports {
        switch e.verdict {
        case .stall:
            let text = builder.stallWarning(state: e.state, stallMs: Int(opts.stallMs), symbolizer: &symbolizer)
            emitWarningText(text, message: text.split(separator: "\n").first.map(String.init) ?? text)
        case .running:
            if !e.resolvedStall.isEmpty {
                let names = e.resolvedStall.map { builder.threadRef($0, frames: [:]).title }.joined(separator: ", ")
                let text = "DEPT: warning: stall resolved: \(e.resolvedStall.count) thread(s) made progress: \(names) (pid \(getpid()))\n"
                emitWarningText(text, message: text)
            }
        default:
            let edges = e.dependsOn
            if let r = builder.buildLive(e.verdict, state: e.state, hangMs: Int(opts.hangMs),
                                         dependsOn: { edges.contains([$0, $1]) }, symbolizer: &symbolizer) {
                publish(r)
            }
        }
    }
}

func emitWarningText(_ text: String, message: String) {
    if runtime.options.format == .json {
        emit(JSONReport.warning(pid: getpid(), message: message, stack: [], text: text) + "\n")
    } else {
        emit(text)
    }
}

/// Renders and prints one report unless suppressed; a printed deadlock
/// report sets the exit status.
func publish(_ report: Report) {
    dept_shim_core_lock()
    // Each distinct cycle once per process (DESIGN §5), whatever instances
    // or which edge revealed it.
    if report.kind == .potential && runtime.reportedKeys.contains(report.key) {
        dept_shim_core_unlock_noflush()
        return
    }
    runtime.reportedKeys.insert(report.key)
    let suppressed = runtime.suppressions.match(report) != nil
    if suppressed { runtime.suppressedCount += 1 } else { runtime.reportedDeadlock = true }
    dept_shim_core_unlock_noflush()
    if suppressed { return }
    let text = TextReport.render(report)
    switch runtime.options.format {
    case .text: emit(text)
    case .json: emit(JSONReport.render(report, text: text) + "\n")
    case .sarif: emit(SARIFReport.render([report]) + "\n")
    }
}

func warningMessage(_ w: Warning, snapshot: Detector, className: (UInt32) -> String) -> String {
    let thread = snapshot.threads[w.thread].map { t -> String in
        let ref = ThreadRef(tid: t.tid, osTid: t.osTid, name: t.name, createdAt: [])
        return "thread \(ref.title)"
    } ?? "thread T\(w.thread)"
    let obj = className(w.cls)
    switch w.kind {
    case .unlockNotOwner: return "unlock of \(obj) by \(thread), which does not own it"
    case .unlockNotLocked: return "unlock of \(obj), which is not locked"
    case .destroyLocked: return "destroy of \(obj) while it is locked"
    case .exitHoldingLocks:
        let names = w.held.map { className($0.cls) }.joined(separator: ", ")
        return "\(thread) exited while holding \(w.held.count) lock(s): \(names)"
    case .relockErrorcheck: return "error-checking mutex \(obj) relocked by its owner (the call failed with EDEADLK)"
    case .tableFull: return "object table full: new objects are no longer tracked"
    case .robustNotConsistent:
        return "robust mutex \(obj) unlocked by \(thread) after EOWNERDEAD without pthread_mutex_consistent: every later lock fails with ENOTRECOVERABLE"
    }
}

func publishWarning(_ w: Warning, snapshot: Detector, builder: ReportBuilder, symbolizer: inout ProcessSymbolizer) {
    var pcs = snapshot.depot.pcs(w.stack)
    var data: [UInt] = []
    for c in [w.cls] + w.held.map(\.cls) {
        let info = snapshot.classInfo(c)
        if info.keyKind == .staticObject { data.append(info.key) } else { pcs.append(info.key) }
    }
    let frames = symbolizer.frames(for: Array(Set(pcs)))
    let names = symbolizer.dataNames(for: data)
    let msg = warningMessage(w, snapshot: snapshot) { builder.className($0, frames: frames, data: names) }
    let stack = snapshot.depot.pcs(w.stack).map { frames[$0] ?? Frame(pc: $0) }
    let text = TextReport.warning(msg, stack: stack)
    if runtime.options.format == .json {
        emit(JSONReport.warning(pid: getpid(), message: msg, stack: stack, text: text) + "\n")
    } else {
        emit(text)
    }
}
