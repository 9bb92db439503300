import CShim

// The C ABI of the core (see CShim/core_abi.h). The shim calls these on
// slow paths only, with its re-entry guard set and its core lock held
// (except dept_core_flush, which takes the lock itself for a snapshot).

private func heldContext(_ h: dept_held) -> HeldContext {
    HeldContext(cls: h.cls, inst: h.inst, stack: h.stack, shared: h.mode == UInt16(DEPT_EV_SHARED.rawValue),
                op: Operation(code: h.op), flags: h.flags, addr: UInt(h.obj))
}

private func held(_ p: UnsafePointer<dept_held>?, _ n: UInt32) -> [HeldContext] {
    guard let p, n > 0 else { return [] }
    return (0..<Int(n)).map { heldContext(p[$0]) }
}

/// The held contexts a new wait's dependencies are made from
/// (DependencyGraph.heldWindow), not all of them.
private func heldForWait(_ p: UnsafePointer<dept_held>?, _ n: UInt32, flags: UInt32) -> [HeldContext] {
    guard let p, n > 0 else { return [] }
    let thread = UInt32(DEPT_HELD_THREAD)
    let (leading, trailingStart) = DependencyGraph.heldWindow(count: Int(n), wait: flags) { p[$0].flags & thread != 0 }
    var out: [HeldContext] = []
    out.reserveCapacity(leading + Int(n) - trailingStart)
    for i in 0..<leading { out.append(heldContext(p[i])) }
    for i in max(leading, trailingStart)..<Int(n) { out.append(heldContext(p[i])) }
    return out
}

@_cdecl("dept_core_init")
func coreInit(_ text: UnsafePointer<CChar>?, _ config: UnsafeMutablePointer<dept_config>) {
    let (opts, problems) = Options.parse(text.map { String(cString: $0) } ?? "")
    runtime.options = opts
    runtime.startPid = dept_libc_getpid()
    runtime.stderrIdentity = FileIdentity(fd: 2)
    runtime.detector = Detector(options: opts)
    runtime.detector.liveLastWait = { tid in
        var e = dept_epoch()
        return dept_shim_thread_last_wait(tid, &e) != 0 ? epoch(e) : nil
    }
    runtime.detector.liveLockWait = { tid, inst in
        var e = dept_epoch()
        return dept_shim_thread_waited_at(tid, inst, &e) != 0 ? epoch(e) : nil
    }
    config.pointee.detect_potential = opts.detectPotential ? 1 : 0
    config.pointee.detect_hangs = opts.detectHangs ? 1 : 0
    config.pointee.stack_depth = opts.stackDepth
    config.pointee.verbosity = opts.verbosity
    config.pointee.hang_ms = opts.hangMs
    config.pointee.stall_ms = opts.stallMs
    config.pointee.exitcode = opts.exitcode
    config.pointee.on_hang = opts.onHang == .report ? 0 : opts.onHang == .exit ? 1 : 2
    config.pointee.unwinder = opts.unwinder == .libunwind ? 1 : opts.unwinder == .dwarf ? 2 : 0
    for p in problems { emit("DEPT: warning: \(p)\n") }
    if opts.unwinder == .libunwind && dept_shim_load_libunwind() == 0 {
        config.pointee.unwinder = 2
        emit("DEPT: warning: unwinder=libunwind: libunwind.so.8 cannot be loaded (install libunwind8); using dwarf\n")
    }
    if opts.help { emit(Options.helpText()) }
    loadSuppressions()
    if opts.verbosity >= 2 { emit("DEPT: info: dept active in pid \(dept_libc_getpid()): \(commandLine())\n") }
}

@_cdecl("dept_core_intern_clock")
func coreInternClock(_ vc: UnsafePointer<UInt32>, _ n: UInt32) -> UInt32 {
    runtime.detector.internClock(VectorClock(Array(UnsafeBufferPointer(start: vc, count: Int(n)))))
}

@_cdecl("dept_core_intern_stack")
func coreInternStack(_ pcs: UnsafePointer<UInt>?, _ count: UInt32) -> UInt32 {
    // Read in place: most stacks the shim sends are known already.
    runtime.detector.internStack(UnsafeBufferPointer(start: pcs, count: pcs == nil ? 0 : Int(count)))
}

@_cdecl("dept_core_class")
func coreClass(_ cls: UInt32, _ kind: UInt32, _ keyKind: UInt32, _ key: UInt, _ stack: UInt32,
               _ prefix: UnsafePointer<UInt>?, _ nprefix: UInt32, _ object: UInt) {
    let callString = prefix.map { Array(UnsafeBufferPointer(start: $0, count: Int(nprefix))) } ?? []
    runtime.detector.addClass(ClassInfo(id: cls, kind: ObjectKind(rawValue: kind) ?? .mutex,
                                        keyKind: KeyKind(rawValue: keyKind) ?? .firstUse, key: key, stack: stack,
                                        callString: callString, object: object))
}

@_cdecl("dept_core_init_callstring")
func coreInitCallString(_ inst: UInt32, _ pcs: UnsafePointer<UInt>, _ n: UInt32, _ seed: Int32, _ cut: UInt32,
                        _ generation: UnsafeMutablePointer<UInt32>) -> UInt32 {
    let depth = runtime.detector.initCallString(instance: inst, callString: Array(UnsafeBufferPointer(start: pcs, count: Int(n))),
                                                seed: Int(seed), cut: Int(cut))
    generation.pointee = UInt32(truncatingIfNeeded: runtime.detector.funnels.generation)
    return UInt32(depth)
}

@_cdecl("dept_core_lock_wrapper")
func coreLockWrapper(_ pcs: UnsafePointer<UInt>, _ n: UInt32) {
    runtime.detector.lockWrapper(frames: Array(UnsafeBufferPointer(start: pcs, count: Int(n))))
}

@_cdecl("dept_core_lock_wrapper_crowded")
func coreLockWrapperCrowded() { runtime.detector.lockWrapperCrowded() }

@_cdecl("dept_core_thread")
func coreThread(_ tid: UInt32, _ parent: UInt32, _ stack: UInt32, _ osTid: Int32, _ slot: UInt32, _ reusedAfter: UInt32) {
    if reusedAfter != 0 { runtime.detector.slotReused(slot: slot, after: reusedAfter) }
    runtime.detector.threadStarted(ThreadInfo(tid: tid, osTid: osTid, parent: parent, createStack: stack, slot: slot))
}

/// A clock point of the shim (time 0: unknown).
private func epoch(_ e: dept_epoch) -> Epoch? { e.time == 0 ? nil : Epoch(slot: e.slot, time: e.time) }

@_cdecl("dept_core_thread_name")
func coreThreadName(_ tid: UInt32, _ name: UnsafePointer<CChar>?) {
    if let name { runtime.detector.threadNamed(tid, String(cString: name)) }
}

/// The shim's views of a thread's recent waits (not lock acquisitions).
private func historyWaits(_ hist: UnsafePointer<dept_history_view>?, _ n: UInt32) -> [HistoryWait] {
    guard let hist else { return [] }
    var waits: [HistoryWait] = []
    for i in 0..<Int(n) {
        let x = hist[i]
        var clocks = WaitClocks(returned: epoch(x.returned))
        clocks.requestedAt = epoch(x.at)
        clocks.request = x.request
        withUnsafeBytes(of: x.sat) { raw in
            let sat = raw.bindMemory(to: dept_epoch.self)
            clocks.satisfiedBy = (0..<min(Int(x.nsat), sat.count)).compactMap { epoch(sat[$0]) }
        }
        waits.append(HistoryWait(cls: x.cls, inst: x.inst, stack: x.stack, awaits: EventModes(rawValue: x.awaits),
                                 op: Operation(code: x.op), timestamp: x.ts, clocks: clocks))
    }
    return waits
}

@_cdecl("dept_core_thread_exit")
func coreThreadExit(_ tid: UInt32, _ h: UnsafePointer<dept_held>?, _ n: UInt32, _ lastWait: dept_epoch,
                    _ ended: UnsafePointer<dept_history_view>?, _ nended: UInt32,
                    _ waitedAt: UnsafePointer<UInt32>?, _ nwaited: UInt32) {
    // Only a thread some observation names can be in a cycle: the others'
    // records go at once (Detector.threadExited), and a program that
    // starts a million short threads would copy a million buckets.
    let lockWaits = runtime.detector.graph.witnessThreads.contains(tid) ? waitedAt.map {
        LockWaitEpochs(slot: lastWait.slot, times: Array(UnsafeBufferPointer(start: $0, count: Int(nwaited))))
    } : nil
    runtime.detector.threadExited(tid, holding: held(h, n), lastWait: epoch(lastWait),
                                  endedWaits: historyWaits(ended, nended), lockWaits: lockWaits)
    markPendingIfNeeded()
}

@_cdecl("dept_core_wait")
func coreWait(_ tid: UInt32, _ h: UnsafePointer<dept_held>?, _ n: UInt32, _ w: UnsafePointer<dept_wait>,
              _ vc: UnsafePointer<UInt32>?, _ nvc: UInt32) {
    let x = w.pointee
    let wait = WaitPoint(cls: x.cls, inst: x.inst, stack: x.stack, awaits: EventModes(rawValue: x.awaits),
                         op: Operation(code: x.op), flags: x.flags, addr: UInt(x.obj), check: x.check, woke: x.woke)
    let request = vc.map { VectorClock(Array(UnsafeBufferPointer(start: $0, count: Int(nvc)))) }
    runtime.detector.wait(thread: tid, held: heldForWait(h, n, flags: x.flags), wait: wait, request: nvc > 0 ? request : nil,
                          started: x.started != 0 ? x.started : nil)
    publishHints()
    markPendingIfNeeded()
}

@_cdecl("dept_core_event")
func coreEvent(_ tid: UInt32, _ e: UnsafePointer<dept_event>, _ h: UnsafePointer<dept_held>?, _ nh: UInt32,
               _ hist: UnsafePointer<dept_history_view>?, _ nhist: UInt32, _ active: UInt32, _ windowStart: UInt64) {
    let ev = e.pointee
    var event = PointRef(cls: ev.cls, inst: ev.inst, op: Operation(code: ev.op), stack: ev.stack, site: UInt(ev.site))
    event.tokens = ev.release & 2 != 0
    event.check = ev.check
    event.after = ev.after
    let history = historyWaits(hist, nhist)
    runtime.detector.event(thread: tid, event: event, held: held(h, nh), history: history,
                           window: active != 0 ? windowStart : nil, release: ev.release & 1 != 0, at: epoch(ev.at))
    markPendingIfNeeded()
}

@_cdecl("dept_core_dependency")
func coreDependency(_ tid: UInt32, _ h: UnsafePointer<dept_held>, _ w: UnsafePointer<dept_wait>,
                    _ g: UnsafePointer<UInt32>?, _ ng: UInt32) {
    let x = w.pointee
    let wait = WaitPoint(cls: x.cls, inst: x.inst, stack: x.stack, awaits: EventModes(rawValue: x.awaits),
                         op: Operation(code: x.op), flags: x.flags, addr: UInt(x.obj), check: x.check, woke: x.woke)
    let gates = g.map { Array(UnsafeBufferPointer(start: $0, count: Int(ng))) } ?? []
    runtime.detector.dependency(thread: tid, from: held(h, 1)[0], wait: wait, gates: gates)
    publishHints()
    markPendingIfNeeded()
}

@_cdecl("dept_core_event_site")
func coreEventSite(_ tid: UInt32, _ cls: UInt32, _ op: UInt32, _ stack: UInt32) {
    runtime.detector.eventSite(cls: cls, op: Operation(code: UInt16(truncatingIfNeeded: op)), stack: stack, thread: tid)
}

@_cdecl("dept_core_trigger_site")
func coreTriggerSite(_ cls: UInt32, _ site: UInt) {
    runtime.detector.triggerSite(cls: cls, site: site)
}

@_cdecl("dept_core_futex_lock_class")
func coreFutexLockClass(_ cls: UInt32) {
    runtime.detector.futexLockClass(cls)
}

@_cdecl("dept_core_release_held_back")
func coreReleaseHeldBack() {
    runtime.detector.releaseHeldBack()
    markPendingIfNeeded()
}

@_cdecl("dept_core_warning")
func coreWarning(_ kind: UInt32, _ tid: UInt32, _ cls: UInt32, _ stack: UInt32) {
    guard let k = Warning.Kind(rawValue: kind) else { return }
    runtime.detector.warn(Warning(kind: k, thread: tid, cls: cls, stack: stack))
    markPendingIfNeeded()
}

@_cdecl("dept_core_after_fork_child")
func coreAfterForkChild(_ tid: UInt32) {
    runtime.detector.forkedChild(survivor: tid)
}

@_cdecl("dept_core_at_exit")
func coreAtExit(_ semaphoreWaitsDropped: UInt64, _ shortStackSkips: UInt64) -> Int32 {
    if runtime.options.printSuppressions {
        var s = "DEPT: info: suppressions used:\n"
        for r in runtime.suppressions.rules { s += "  \(r.hits) deadlock:\(r.pattern)\n" }
        emit(s)
    }
    if runtime.options.stats {
        var stats = runtime.detector.statistics
        stats.potential = runtime.potentialReports
        stats.sameWaits = runtime.groupedReports
        stats.live = runtime.liveReports
        stats.suppressed = runtime.suppressedCount
        stats.semaphoreWaitsDropped = Int(semaphoreWaitsDropped)
        stats.shortStackSkips = Int(shortStackSkips)
        let text = stats.text(pid: dept_libc_getpid())
        emitInfo(text, message: text)
    }
    if runtime.divertedReports > 0, let path = runtime.divertedTo, stderrUsable() {
        writeAll(2, "DEPT: warning: stderr was closed or reused by the program: \(runtime.divertedReports) report(s) written to \(path)\n")
    }
    if runtime.lostReports > 0, stderrUsable() {
        writeAll(2, "DEPT: warning: \(runtime.lostReports) report(s) could not be written anywhere\n")
    }
    let failed = runtime.reportedLive || (runtime.reportedPotential && runtime.options.failOnPotential)
    return failed ? runtime.options.exitcode : 0
}

@_cdecl("dept_core_exiting")
func coreExiting(_ status: Int32) {
    guard runtime.options.verbosity >= 2, runtime.startPid == dept_libc_getpid(), !runtime.exitLineWritten else { return }
    runtime.exitLineWritten = true
    emit("DEPT: info: pid \(dept_libc_getpid()) exited with status \(status)\n")
}

/// Tells the shim what it no longer needs to send (a cache of the core's
/// state, like its memos).
private func publishHints() {
    for h in runtime.detector.takeSameClassHints() {
        dept_shim_same_class_hint(h.cls, UInt32(h.skip.intersection([.up, .down]).rawValue))
    }
}

private func markPendingIfNeeded() {
    if !runtime.detector.pendingReports.isEmpty || !runtime.detector.pendingWarnings.isEmpty {
        dept_shim_mark_pending()
    }
}
