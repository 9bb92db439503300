import CShim
import DeptCore
import Glibc

/// A live verdict waiting to be printed (built outside the core lock).
struct LiveEvidence {
    var verdict: LiveVerdict
    var state: LiveState
    var resolvedStall: [UInt32] = []
    var dependsOn: Set<[UInt32]> = []
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

@_cdecl("dept_core_live_check")
func coreLiveCheck(_ threads: UnsafePointer<dept_live_thread>?, _ n: UInt32, _ heldBase: UnsafePointer<dept_held>?,
                   _ untracked: UInt32, _ wakers: UnsafePointer<dept_waker>?, _ nw: UInt32,
                   _ proven: UInt32) -> Int32 {
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
        else if !(state.triggerers[w.inst] ?? []).contains(w.tid) { state.triggerers[w.inst, default: []].append(w.tid) }
    }
    let opts = runtime.options
    let graph = runtime.detector.graph
    let verdict = HangAnalysis.analyze(state, hangMs: proven != 0 ? 0 : Int(opts.hangMs), stallMs: Int(opts.stallMs)) { eventCls, waitCls in
        let from = EventNode(cls: eventCls)
        return graph.edge(from: from, to: EventNode(cls: waitCls)) != nil
            || graph.edge(from: from, to: EventNode(cls: waitCls, shared: true)) != nil
    }
    // A deadlock the kernel proved is reported only as one: waits of no
    // length say nothing of a hang or a stall.
    if proven != 0 {
        guard case .deadlock = verdict else { return Int32(DEPT_VERDICT_NONE) }
    }
    var queued = false
    switch verdict {
    case .deadlock(_, let stuck):
        let key = stuck + stuck.compactMap { tid in list.first { $0.tid == tid }?.blocked?.inst }
        if !live.reported.contains(key) {
            live.reported.insert(key)
            live.pending.append(LiveEvidence(verdict: verdict, state: state, dependsOn: dependsOnEdges(state)))
            queued = true
        }
    case .hang:
        if !live.hangReported {
            live.hangReported = true
            live.pending.append(LiveEvidence(verdict: verdict, state: state))
            queued = true
        }
    case .stall:
        if live.stalled.isEmpty {
            for t in list { if let b = t.blocked, b.canHangForever, b.ms >= Int(opts.stallMs) { live.stalled[t.tid] = b.inst } }
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
