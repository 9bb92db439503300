import CShim

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
    let silenced = runtime.detector.takeSilenced()
    let liveReports = live.pending
    live.pending = []
    let snapshot = runtime.detector
    dept_shim_core_unlock_noflush()
    if pending.reports.isEmpty && pending.warnings.isEmpty && liveReports.isEmpty && silenced.isEmpty { return }

    var symbolizer = ProcessSymbolizer(options: runtime.options)
    let builder = ReportBuilder(detector: snapshot, pid: dept_libc_getpid())
    for evidence in pending.reports {
        let report = builder.build(evidence, symbolizer: &symbolizer)
        if evidence.throughTimedWait { publishTimedCycle(report) } else { publish(report) }
    }
    for s in silenced {
        let line = builder.silencedLine(s, symbolizer: &symbolizer)
        emitInfo(line, message: String(line.dropFirst("DEPT: info: ".count).dropLast()))
    }
    for w in pending.warnings {
        publishWarning(w, snapshot: snapshot, builder: builder, symbolizer: &symbolizer)
    }
    let opts = runtime.options
    for e in liveReports {
        switch e.verdict {
        case .stall:
            if let text = builder.stallWarning(state: e.state, hangMs: Int(opts.hangMs),
                                               stallMs: e.stallMs ?? Int(opts.stallMs), when: e.when,
                                               symbolizer: &symbolizer) {
                emitWarningText(text, message: text.split(separator: "\n").first.map(String.init) ?? text)
            }
        case .running:
            if !e.resolvedStall.isEmpty {
                let names = e.resolvedStall.map { builder.threadRef($0, frames: [:]).title }.joined(separator: ", ")
                emit("DEPT: info: stall resolved: \(e.resolvedStall.count) thread(s) made progress: \(names) (pid \(dept_libc_getpid()))\n")
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

func emitInfo(_ text: String, message: String) {
    if runtime.options.format == .json {
        emit(JSONReport.warning(pid: dept_libc_getpid(), message: message, stack: [], text: text, kind: "info") + "\n")
    } else {
        emit(text)
    }
}

/// A cycle through a timed wait: information (R2.7), once per cycle; it
/// never sets the exit status.
func publishTimedCycle(_ report: Report) {
    dept_shim_core_lock()
    let seen = !runtime.reportedKeys.insert("timed:" + report.key).inserted
    let suppressed = !seen && runtime.suppressions.match(report) != nil
    dept_shim_core_unlock_noflush()
    if seen || suppressed { return }
    emitInfo(TextReport.timedCycle(report), message: TextReport.timedCycleMessage(report))
}

func emitWarningText(_ text: String, message: String) {
    if runtime.options.format == .json {
        emit(JSONReport.warning(pid: dept_libc_getpid(), message: message, stack: [], text: text) + "\n")
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
    let first = suppressed ? nil : runtime.families.printedBefore(report)
    if suppressed {
        runtime.suppressedCount += 1
    } else if first != nil {
        runtime.groupedReports += 1
    } else if report.kind == .potential {
        runtime.reportedPotential = true
        runtime.potentialReports += 1
    } else {
        runtime.reportedLive = true
        runtime.liveReports += 1
    }
    dept_shim_core_unlock_noflush()
    if suppressed { return }
    // People get one line for another cycle of a family; JSON keeps the
    // whole cycle as data, with its family, for `dept run` to group.
    if let key = first, runtime.options.format != .json {
        emit(TextReport.sameWaits(report, as: key))
        return
    }
    let plain = TextReport.Style(stripPathPrefix: runtime.options.stripPathPrefix)
    let text = TextReport.render(report, style: plain)
    switch runtime.options.format {
    case .text:
        var style = plain
        style.color = useColor()
        emit(style.color ? TextReport.render(report, style: style) : text)
    case .json: emit(JSONReport.render(report, text: text) + "\n")
    case .sarif: emit(SARIFReport.render([report], informationURI: readmeURI()) + "\n")
    }
}

/// Colour for text reports: `color=always`, or `auto` when they go to a
/// terminal that is not dumb.
func useColor() -> Bool {
    switch runtime.options.color {
    case .always: return true
    case .never: return false
    case .auto:
        let fd = outputFD()
        guard fd >= 0, dept_libc_isatty(fd) != 0 else { return false }
        if let t = dept_libc_getenv("TERM"), String(cString: t) == "dumb" { return false }
        return dept_libc_getenv("NO_COLOR") == nil
    }
}

/// dept's README as a file URI (SARIF's informationUri): installed next to
/// the library (PREFIX/share/doc/dept) or in the source tree it was built in.
func readmeURI() -> String? {
    guard let lib = dept_shim_self_path() else { return nil }
    let path = String(cString: lib)
    guard let slash = path.lastIndex(of: "/") else { return nil }
    let dir = String(path[..<slash])
    for rel in ["/../share/doc/dept/README.md", "/../../README.md", "/../../../README.md"] {
        let candidate = dir + rel
        var real = [CChar](repeating: 0, count: 4097)
        guard dept_libc_is_readable(candidate) != 0, dept_libc_realpath(candidate, &real, real.count) == 0 else { continue }
        return "file://" + String(cString: real)
    }
    return nil
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
    case .condWaitUnheld:
        return "condition wait by \(thread) with \(obj), which it does not hold: the wait unlocks it behind its owner's back, and takes it when it returns"
    case .lockDestroyed:
        return "lock of \(obj) failed with EINVAL: the mutex is destroyed (or its memory overwritten), and was not taken"
    case .semInitFailed:
        return "sem_init of \(obj) failed (EINVAL: an initial count above SEM_VALUE_MAX): it is no semaphore, and waits and posts on it act on whatever its memory holds"
    case .semPostFailed:
        return "sem_post of \(obj) failed (EOVERFLOW: its count is at SEM_VALUE_MAX): the post is lost; posts no wait consumes, or memory that is no semaphore"
    case .robustNotConsistent:
        return "robust mutex \(obj) unlocked by \(thread) after EOWNERDEAD without pthread_mutex_consistent: every later lock fails with ENOTRECOVERABLE"
    }
}

func publishWarning(_ w: Warning, snapshot: Detector, builder: ReportBuilder, symbolizer: inout ProcessSymbolizer) {
    var pcs = snapshot.depot.pcs(w.stack)
    var data: [UInt] = []
    for c in [w.cls] + w.held.map({ $0.cls }) {
        let n = builder.nameAddresses(of: c)
        pcs += n.code; data += n.data
    }
    let (frames, names) = symbolizer.symbols(code: Array(Set(pcs)), data: data)
    let msg = warningMessage(w, snapshot: snapshot) { builder.className($0, frames: frames, data: names) }
    let stack = snapshot.depot.pcs(w.stack).map { frames[$0] ?? Frame(pc: $0) }
    let text = TextReport.warning(msg, stack: stack)
    if runtime.options.format == .json {
        emit(JSONReport.warning(pid: dept_libc_getpid(), message: msg, stack: stack, text: text) + "\n")
    } else {
        emit(text)
    }
}
