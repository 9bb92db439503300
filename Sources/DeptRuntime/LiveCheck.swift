import CShim

/// A live verdict waiting to be printed (built outside the core lock).
struct LiveEvidence {
    var verdict: LiveVerdict
    var state: LiveState
    var resolvedStall: [UInt32] = []
    var dependsOn: Set<[UInt32]> = []
    /// A dump of the stuck threads before the process goes: why it goes,
    /// and the threshold (hang_ms) instead of stall_ms.
    var when: String? = nil
    var stallMs: Int? = nil
}

/// The graph edges between the classes blocked threads wait on, captured
/// with the evidence so the report can explain "must first get".
func dependsOnEdges(_ s: LiveState) -> Set<[UInt32]> {
    var out: Set<[UInt32]> = []
    let classes = s.threads.compactMap { $0.blocked?.cls }
    for a in classes {
        for b in classes where runtime.detector.graph.edge(from: EventNode(cls: a), to: EventNode(cls: b)) != nil
            || runtime.detector.graph.edge(from: EventNode(cls: a), to: EventNode(cls: b, shared: true)) != nil {
            out.insert([a, b])
        }
    }
    return out
}

extension Runtime {
    struct LiveMemory {
        var pending: [LiveEvidence] = []
        var reported: Set<[UInt32]> = []
        var hangReported = false
        var stalled: [UInt32: UInt32] = [:]   // tid -> inst it was stalled on
    }
}

nonisolated(unsafe) var live = Runtime.LiveMemory()

/// The monitor's samples of the process's CPU time. Apart from `live`: it is
/// sampled at every look, under the monitor's check lock, without the core's.
nonisolated(unsafe) var processQuiet = ProcessQuiet()

@_cdecl("dept_core_quiet_sample")
func coreQuietSample(_ othersCpuNs: UInt64, _ nowNs: UInt64) -> UInt32 {
    UInt32(clamping: processQuiet.sample(cpuNs: othersCpuNs, nowNs: nowNs))
}

/// The shim's snapshot as the core's LiveState.
private func liveState(_ threads: UnsafePointer<dept_live_thread>?, _ n: UInt32, _ heldBase: UnsafePointer<dept_held>?,
                       _ untracked: UInt32, _ wakers: UnsafePointer<dept_waker>?, _ nw: UInt32) -> LiveState {
    var list: [LiveThread] = []
    for i in 0..<Int(n) {
        guard let t = threads?[i] else { break }
        var held: [HeldContext] = []
        if let heldBase {
            for j in 0..<Int(t.nheld) {
                let h = heldBase[Int(t.held_offset) + j]
                held.append(HeldContext(cls: h.cls, inst: h.inst, stack: h.stack, shared: h.mode == UInt16(DEPT_EV_SHARED.rawValue),
                                        op: Operation(code: h.op), flags: h.flags))
            }
        }
        // A lock acquisition is recorded as held before it blocks; while it
        // waits, that entry is not a hold. A futex lock's entry is its word's
        // owner (the monitor reads it): a thread asking for a lock its word
        // says it owns waits for itself.
        let pendingOps: Set<UInt16> = [1, 3, 5, 8]   // lock, rdlock, wrlock, timedlock
        if t.blocked != 0, pendingOps.contains(t.op), let last = held.last, last.inst == t.inst,
           last.flags & UInt32(DEPT_HELD_FUTEX) == 0 {
            held.removeLast()
        }
        let blocked = t.blocked != 0
            ? BlockedWait(cls: t.cls, inst: t.inst, stack: t.stack, op: Operation(code: t.op),
                          awaits: EventModes(rawValue: t.awaits), timed: t.timed & 1 != 0,
                          shared: t.timed & 2 != 0, ms: Int(t.blocked_ms))
            : nil
        list.append(LiveThread(tid: t.tid, osTid: t.os_tid, blocked: blocked, held: held))
    }
    var state = LiveState(threads: list, untracked: Int(untracked))
    for i in 0..<Int(nw) {
        guard let w = wakers?[i] else { break }
        if w.kind == UInt32(DEPT_WAKER_HOLDER) { state.holders[w.inst] = w.tid }
        else if w.kind == UInt32(DEPT_WAKER_UNPROVEN_HOLDER) { state.unprovenHolds.insert(w.inst) }
        else if !(state.triggerers[w.inst] ?? []).contains(w.tid) { state.triggerers[w.inst, default: []].append(w.tid) }
    }
    return state
}

/// `proven`: the kernel found a deadlock (FUTEX_LOCK_PI's EDEADLK): waits of
/// any length count.
private func analyze(_ state: LiveState, proven: Bool = false) -> LiveVerdict {
    let opts = runtime.options
    let graph = runtime.detector.graph
    return HangAnalysis.analyze(state, hangMs: proven ? 0 : Int(opts.hangMs), stallMs: Int(opts.stallMs)) { eventCls, waitCls in
        let from = EventNode(cls: eventCls)
        return graph.edge(from: from, to: EventNode(cls: waitCls)) != nil
            || graph.edge(from: from, to: EventNode(cls: waitCls, shared: true)) != nil
    }
}

/// Queues the report of a deadlock or hang verdict unless it was printed
/// before; returns whether it queued one.
private func queueVerdict(_ verdict: LiveVerdict, _ state: LiveState) -> Bool {
    switch verdict {
    case .deadlock(_, let stuck):
        let key = stuck + stuck.compactMap { tid in state.threads.first { $0.tid == tid }?.blocked?.inst }
        if live.reported.contains(key) { return false }
        live.reported.insert(key)
        live.pending.append(LiveEvidence(verdict: verdict, state: state, dependsOn: dependsOnEdges(state)))
        return true
    case .hang:
        if live.hangReported { return false }
        live.hangReported = true
        live.pending.append(LiveEvidence(verdict: verdict, state: state))
        return true
    default:
        return false
    }
}

@_cdecl("dept_core_live_dump")
func coreLiveDump(_ threads: UnsafePointer<dept_live_thread>?, _ n: UInt32, _ heldBase: UnsafePointer<dept_held>?,
                  _ untracked: UInt32, _ wakers: UnsafePointer<dept_waker>?, _ nw: UInt32, _ why: UnsafePointer<CChar>?) {
    let state = liveState(threads, n, heldBase, untracked, wakers, nw)
    let verdict = analyze(state)
    switch verdict {
    case .deadlock, .hang:
        // The monitor had not looked yet: the report itself explains best.
        _ = queueVerdict(verdict, state)
    default:
        live.pending.append(LiveEvidence(verdict: .stall, state: state, when: why.map { String(cString: $0) },
                                         stallMs: Int(runtime.options.hangMs)))
    }
    dept_shim_mark_pending()
}

@_cdecl("dept_core_live_check")
func coreLiveCheck(_ threads: UnsafePointer<dept_live_thread>?, _ n: UInt32, _ heldBase: UnsafePointer<dept_held>?,
                   _ untracked: UInt32, _ wakers: UnsafePointer<dept_waker>?, _ nw: UInt32,
                   _ proven: UInt32, _ quietMs: UInt32, _ waitsForInput: UInt32) -> Int32 {
    var state = liveState(threads, n, heldBase, untracked, wakers, nw)
    if quietMs != UInt32.max { state.quietMs = Int(quietMs) }
    state.waitsForInput = waitsForInput != 0
    let list = state.threads
    let opts = runtime.options
    let verdict = analyze(state, proven: proven != 0)
    // A deadlock the kernel proved is reported only as one: waits of no
    // length say nothing of a hang or a stall.
    if proven != 0 {
        guard case .deadlock = verdict else { return Int32(DEPT_VERDICT_NONE) }
    }
    var queued = false
    switch verdict {
    case .deadlock, .hang:
        queued = queueVerdict(verdict, state)
    case .stall:
        if live.stalled.isEmpty {
            for t in HangAnalysis.stalled(state, hangMs: Int(opts.hangMs), stallMs: Int(opts.stallMs)) {
                live.stalled[t.tid] = t.blocked!.inst
            }
            live.pending.append(LiveEvidence(verdict: verdict, state: state))
            queued = true
        }
    case .running:
        break
    }
    if !live.stalled.isEmpty, verdict != .stall {
        // A stall resolves once none of its threads is still in the same wait.
        let still = live.stalled.filter { tid, inst in list.contains { $0.tid == tid && $0.blocked?.inst == inst } }
        if still.isEmpty {
            live.pending.append(LiveEvidence(verdict: .running, state: state, resolvedStall: live.stalled.keys.sorted()))
            live.stalled = [:]
            queued = true
        }
    }
    if case .hang = verdict {} else if verdict == .running { live.hangReported = false }
    if queued { dept_shim_mark_pending() }
    switch verdict {
    case .deadlock: return Int32(DEPT_VERDICT_DEADLOCK)
    case .hang: return Int32(DEPT_VERDICT_HANG)
    case .stall: return Int32(DEPT_VERDICT_STALL)
    case .running: return live.stalled.isEmpty ? Int32(DEPT_VERDICT_NONE) : Int32(DEPT_VERDICT_STALL)
    }
}
