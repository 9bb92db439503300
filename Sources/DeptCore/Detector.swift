/// The core's state for one process: classes, threads, stacks, the
/// dependency graph, what was reported. Plain data driven by the shim's
/// calls (or by a synthetic stream in tests); it never touches the process.
public struct Detector: Sendable {
    public var options: Options
    public private(set) var depot = StackDepot()
    public private(set) var classes: [UInt32: ClassInfo] = [:]
    public private(set) var threads: [UInt32: ThreadInfo] = [:]
    public private(set) var graph = DependencyGraph()
    /// First stack seen for each (class, operation) event site: the [E] of
    /// a report.
    public private(set) var eventSites: [UInt32: ClassEventSites] = [:]
    /// Per thread, the first release or trigger site of each class it was
    /// seen at: a context's [E] comes from its own thread when it can (the
    /// first site anywhere may be another thread's code).
    public private(set) var threadEventSites: [UInt32: [UInt32: UInt32]] = [:]
    private var reportedCycles: Set<[Int]> = []
    private var warnedSites: Set<[UInt32]> = []
    /// Threads named by a queued or printed warning (kept after they exit).
    private var warnedThreads: Set<UInt32> = []
    public private(set) var pendingReports: [CycleEvidence] = []
    public private(set) var pendingWarnings: [Warning] = []
    /// Cycles found but not reported yet, because a rule may still turn
    /// them down once something is known (HeldBackCycle); what is still
    /// held back when the process ends is judged once more and reported.
    public private(set) var heldBackReports: [HeldBackCycle] = []
    /// Classes of futex words seen to behave as locks.
    public private(set) var futexLockClasses: Set<UInt32> = []
    /// Cycles a rule silenced (for `verbosity=2`), each once.
    public private(set) var pendingSilenced: [SilencedCycle] = []
    private var silencedKeys: Set<[UInt32]> = []
    /// Distinct cycles a rule turned down, printed or not (Statistics).
    public var turnedDownCycles: Int { silencedKeys.count }
    /// Waits and events the shim sent: what its memos did not answer
    /// (Statistics).
    public private(set) var waitsSeen = 0
    public private(set) var eventsSeen = 0
    /// Vector clocks of the observations' requests (HappensBefore).
    public private(set) var clocks = ClockStore()
    /// Where clock slots changed hands unknown to their new threads.
    public private(set) var slotEras = SlotEras()
    /// Init call strings and the wrapper helpers they reveal (Funnels).
    public private(set) var funnels = Funnels()
    /// The call sites that trigger events of each class (OR-waits).
    public private(set) var triggerSites: [UInt32: [UInt]] = [:]
    public static let maxTriggerSites = 16
    /// The latest wait of a thread that still runs, from the shim's clocks
    /// (the core only hears of a thread when something new happens).
    public var liveLastWait: (@Sendable (UInt32) -> Epoch?)? = nil
    /// A running thread's latest wait on a lock instance, or a later
    /// wait's (LockWaitEpochs), from the shim's clocks.
    public var liveLockWait: (@Sendable (_ thread: UInt32, _ inst: UInt32) -> Epoch?)? = nil

    public init(options: Options = Options()) { self.options = options }

    /// The rules a cycle must pass, with what they need of the current state.
    /// `final`: the process ends, so what a running thread did so far is
    /// all it did.
    public func judge(final: Bool = false) -> CycleJudge {
        let threads = self.threads, live = liveLastWait, liveLocks = liveLockWait
        var j = CycleJudge(classes: classes, funnels: funnels, clocks: clocks) { tid in
            guard let t = threads[tid] else { return nil }
            return t.live ? live?(tid) ?? nil : t.lastWait
        }
        j.triggerSites = triggerSites
        j.eras = slotEras
        j.futexLockClasses = futexLockClasses
        j.running = { tid in !final && threads[tid]?.live == true }
        j.endedWait = { tid, inst in
            guard let t = threads[tid], !t.live else { return nil }
            return t.endedWaits.first { $0.inst == inst }?.clocks
        }
        j.lockWait = { tid, inst in
            guard let t = threads[tid] else { return nil }
            if !t.live { return t.lockWaits?.latest(inst).map { ($0, true) } }
            return liveLocks?(tid, inst).map { ($0, final) }
        }
        return j
    }

    /// Events of class `cls` are triggered at call site `site` (OR-waits).
    public mutating func triggerSite(cls: UInt32, site: UInt) {
        var list = triggerSites[cls] ?? []
        if list.contains(site) || list.count >= Self.maxTriggerSites { return }
        list.append(site)
        triggerSites[cls] = list
    }

    /// Runs one change of the graph with this detector's judge. The judge
    /// is built when the change first closes a path, not before: most new
    /// dependencies close none, and a judge copies the detector's tables
    /// (a tenth of the instructions of a first round of 10,000 new classes
    /// went to copying one down the search and destroying it). The graph is
    /// moved out for the change, so the judge can read the detector while
    /// the graph is being changed.
    private mutating func changeGraph(_ change: (inout DependencyGraph, CycleVerdict) -> [FoundCycle]) {
        var g = DependencyGraph()
        swap(&g, &graph)
        var built: CycleJudge? = nil
        let found = change(&g) { ws, closed in
            if built == nil { built = self.judge() }
            return built!.reject(ws, in: closed)
        }
        swap(&g, &graph)
        queue(found)
    }

    public mutating func internStack(_ pcs: [UInt]) -> UInt32 { depot.intern(pcs) }
    public mutating func internStack(_ pcs: UnsafeBufferPointer<UInt>) -> UInt32 { depot.intern(pcs) }

    /// A clock for observations to name later (a join's request, kept in
    /// the shim's history of the joiner).
    public mutating func internClock(_ c: VectorClock) -> UInt32 { clocks.intern(c) }

    public mutating func addClass(_ info: ClassInfo) {
        _ = classes.firstValue(info.id, or: info)
        if info.object != 0 { graph.keepObjectsApart(info.id) }
    }

    public func classInfo(_ id: UInt32) -> ClassInfo {
        classes[id] ?? ClassInfo(id: id, kind: .mutex, keyKind: .firstUse, key: 0, stack: 0)
    }

    public mutating func threadStarted(_ t: ThreadInfo) {
        var t = t
        if let old = threads[t.tid], t.name == nil { t.name = old.name }
        threads[t.tid] = t
    }

    /// Thread `t` took its clock slot over from a thread that ended at time
    /// `last` without `t`'s start knowing so (SlotEras).
    public mutating func slotReused(slot: UInt32, after last: UInt32) {
        slotEras.reused(slot: slot, after: last)
    }

    public mutating func threadNamed(_ tid: UInt32, _ name: String) {
        threads[tid, default: ThreadInfo(tid: tid)].name = name
    }

    /// An exited thread's record is kept only while something that can be
    /// reported names it (a kept observation, a warning); otherwise a
    /// program that creates a million short threads would keep a million
    /// records.
    public mutating func threadExited(_ tid: UInt32, holding held: [HeldContext], lastWait: Epoch? = nil,
                                      endedWaits: [HistoryWait] = [], lockWaits: LockWaitEpochs? = nil) {
        threads[tid]?.live = false
        threads[tid]?.lastWait = lastWait
        threads[tid]?.endedWaits = endedWaits
        threads[tid]?.lockWaits = lockWaits
        if heldBackReports.contains(where: { $0.thread == tid }) { settleHeldBack { $0.thread == tid } }
        let locks = held.filter { !$0.isThreadBody && $0.flags & HeldContext.semFlag == 0 }
        if !locks.isEmpty {
            warn(Warning(kind: .exitHoldingLocks, thread: tid, cls: locks[0].cls, stack: locks[0].stack,
                         held: locks))
        }
        if !graph.witnessThreads.contains(tid) && !warnedThreads.contains(tid) {
            threads[tid] = nil
            threadEventSites[tid] = nil
        }
    }

    /// A release or trigger site of `cls` (`thread` 0: unknown thread).
    public mutating func eventSite(cls: UInt32, op: Operation, stack: UInt32, thread: UInt32 = 0) {
        eventSites[cls, default: ClassEventSites(op, stack)].record(op, stack)
        if thread != 0 { _ = threadEventSites[thread, default: [:]].firstValue(cls, or: stack) }
    }

    /// A wait starts while `held` contexts are held: record the dependencies
    /// and queue one report per newly closed cycle.
    /// `request` is the thread's vector clock at the start of a wait for an
    /// event that is not a lock release (HappensBefore).
    /// `started` is when it started, on the wait clock (for the same waits).
    /// `held` may be just the contexts `DependencyGraph.heldWindow` names.
    public mutating func wait(thread: UInt32, held: [HeldContext], wait: WaitPoint, request: VectorClock? = nil,
                              started: UInt64? = nil) {
        waitsSeen += 1
        let clocks = WaitClocks(request: request.map { self.clocks.intern($0) } ?? 0, started: started)
        changeGraph { $0.addWait(thread: thread, held: held, wait: wait, clocks: clocks, judge: $1) }
    }

    /// An object was initialised along `callString` (frame 0 is the init
    /// call site): returns how many leading frames name its class (Funnels).
    /// `seed`: how many leading frames lie in a known wrapper library.
    /// `cut`: the first frame after a call through a function pointer, or 0.
    public mutating func initCallString(instance: UInt32, callString: [UInt], seed: Int = 0, cut: Int = 0) -> Int {
        funnels.observe(callString, seed: seed)
        let depth = funnels.depth(of: callString, cut: cut)
        if callString.count > depth { funnels.remember(instance: instance, callString: callString, cut: cut) }
        return depth
    }

    /// Return addresses inside the program's lock wrappers (the shim's
    /// lock_sites.c: a call site that acquired locks of two classes, and
    /// the frames every call string through it shared).
    public private(set) var lockWrapperFrames = Set<UInt>()

    /// Lock wrappers found, and those named by their call site again
    /// (stats=1).
    public private(set) var lockWrappers = 0
    public private(set) var crowdedLockWrappers = 0

    /// A lock call site became a wrapper's; `frames` are the wrapper's own
    /// (frame 0 is the call site).
    public mutating func lockWrapper(frames: [UInt]) {
        lockWrapperFrames.formUnion(frames)
        lockWrappers += 1
    }

    /// A wrapper's acquisitions kept coming through new call strings: the
    /// shim names them by the call site again.
    public mutating func lockWrapperCrowded() { crowdedLockWrappers += 1 }

    /// Symbolized frames with the lock wrappers' marked (Frame.wrapsLock).
    public func markingLockWrappers(_ frames: [UInt: Frame]) -> [UInt: Frame] {
        if lockWrapperFrames.isEmpty { return frames }
        var out = frames
        for pc in lockWrapperFrames where out[pc] != nil { out[pc]!.wrapsLock = true }
        return out
    }

    /// A dependency confirmed after the fact (a wait made while holding a
    /// binary semaphore counts once the same thread posts it: only then was
    /// the semaphore used as a lock).
    public mutating func dependency(thread: UInt32, from: HeldContext, wait: WaitPoint, gates: [UInt32]) {
        waitsSeen += 1
        changeGraph { $0.addDependency(thread: thread, from: from, wait: wait, gates: gates, judge: $1) }
    }

    /// An event (post, signal, write, release on another's behalf): the
    /// rules of `EventRules` decide which waits it depends on; queues one
    /// report per newly closed cycle.
    /// `at` is the event's epoch: the held contexts' waits returned before it.
    public mutating func event(thread: UInt32, event: PointRef, held: [HeldContext], history: [HistoryWait],
                               window: UInt64?, release: Bool, at: Epoch? = nil) {
        let deps = EventRules.dependencies(of: event, held: held, history: history, window: window, release: release, at: at)
        let gates = held.filter { !$0.isThreadBody }.map { $0.inst }
        if event.op == .condSignal || event.op == .condBroadcast {
            // Not a lock entered before the thread's last check of the
            // condvar's predicate: its signal then releases a lock built
            // on the condvar, acquired inside that lock, and a waiter in
            // such an acquire needs it (cond_lock_hand_over_hand).
            let locks = held.filter { h in
                !h.isThreadBody && h.flags & (HeldContext.semFlag | HeldContext.beforeCheckFlag) == 0
            }.map { $0.inst }
            graph.recordLockedSignal(thread: thread, cond: event.inst, locks: locks)
        }
        self.event(thread: thread, event: event, deps: deps, gates: gates)
    }

    /// Records an event whose dependencies are already chosen.
    public mutating func event(thread: UInt32, event: PointRef, deps: [EventDependency], gates: [UInt32]) {
        eventsSeen += 1
        changeGraph { $0.addEvent(thread: thread, event: event, deps: deps, gates: gates, judge: $1) }
    }

    private mutating func queue(_ cycles: [FoundCycle]) {
        for r in graph.takeRejections() { silence(r.rule, r.witnesses) }
        guard options.detectPotential else { return }
        var judge: CycleJudge? = nil
        for c in cycles {
            // A cycle only held back is not reported yet: this observation
            // of it (another worker joined under the same lock) is judged
            // on its own, or it would be lost when the held-back one is
            // turned down.
            guard !reportedCycles.contains(c.identity) || heldBackReports.contains(where: { $0.identity == c.identity })
            else { continue }
            reportedCycles.insert(c.identity)
            var evidence = CycleEvidence(cycle: c, graph: graph)
            let ws = evidence.links.map { $0.witness }
            evidence.exitedThreads = Set(ws.map { $0.thread }).filter { threads[$0]?.live == false }.sorted()
            if awaitsMore(ws) {
                heldBackReports.append(HeldBackCycle(evidence: evidence, identity: c.identity, thread: nil))
                continue
            }
            if ws.contains(where: { $0.from.isThreadBody }) {
                if judge == nil { judge = self.judge() }
                if let tid = judge!.awaitedExit(ws) {
                    heldBackReports.append(HeldBackCycle(evidence: evidence, identity: c.identity, thread: tid))
                    continue
                }
            }
            report(evidence, c.identity)
        }
    }

    /// Whether a found cycle waits for something the process may still
    /// show, whatever its threads do: whether a futex word is a lock's
    /// (futexLockRule), or the order of the objects it changes at
    /// (instanceOrderRule). Held back until then, or until the process ends.
    private func awaitsMore(_ ws: [Witness]) -> Bool {
        ws.contains { $0.wait.isUnsureRelease } || CycleJudge.awaitsInstanceOrder(ws, graph)
    }

    /// Queues a cycle's report; other observations of the same cycle still
    /// held back are then redundant: each cycle is reported once.
    private mutating func report(_ evidence: CycleEvidence, _ identity: [Int]) {
        heldBackReports.removeAll { $0.identity == identity }
        pendingReports.append(evidence)
    }

    /// Judges again the held-back cycles `which` selects, now that what
    /// they waited for is known: each is turned down, held back for what
    /// it still waits for, or reported. `final`: the process ends.
    private mutating func settleHeldBack(final: Bool = false, _ which: (HeldBackCycle) -> Bool) {
        let judge = self.judge(final: final)
        var kept: [HeldBackCycle] = []
        var reported: Set<[Int]> = [], turnedDown: Set<[Int]> = []
        for h in heldBackReports {
            guard which(h) else { kept.append(h); continue }
            if reported.contains(h.identity) { continue }
            let ws = h.evidence.links.map { $0.witness }
            if let r = judge.futexLockRule(ws) ?? judge.happensBeforeRule(ws)
                ?? (final ? CycleJudge.instanceOrderRule(ws, graph) : nil) {
                silence(r, ws)
                turnedDown.insert(h.identity)
            } else if !final && awaitsMore(ws) {
                kept.append(HeldBackCycle(evidence: h.evidence, identity: h.identity, thread: nil))
            } else if !final, let tid = judge.awaitedExit(ws) {
                kept.append(HeldBackCycle(evidence: h.evidence, identity: h.identity, thread: tid))
            } else {
                reported.insert(h.identity)
                pendingReports.append(h.evidence)
            }
        }
        heldBackReports = kept.filter { !reported.contains($0.identity) }
        // Not reported, and no other observation of it waits: the same
        // cycle closed again by other observations is judged on its own.
        for identity in turnedDown where !reported.contains(identity)
            && !heldBackReports.contains(where: { $0.identity == identity }) {
            reportedCycles.remove(identity)
        }
    }

    /// Some thread showed futex words of class `cls` to behave as locks:
    /// held-back cycles through its wakes are judged again.
    public mutating func futexLockClass(_ cls: UInt32) {
        guard futexLockClasses.insert(cls).inserted, !heldBackReports.isEmpty else { return }
        settleHeldBack { $0.thread == nil }
    }

    /// A cycle a rule turned down: one `verbosity=2` line per rule and set
    /// of classes.
    private mutating func silence(_ rule: Rejection, _ witnesses: [Witness]) {
        let key = [UInt32(truncatingIfNeeded: rule.rule.hashValue)] + witnesses.map { $0.from.cls }.sorted()
        if silencedKeys.insert(key).inserted && options.verbosity >= 2 && options.heldBack {
            pendingSilenced.append(SilencedCycle(rule: rule, witnesses: witnesses))
        }
    }

    /// The process ends: what is still held back is judged on what the
    /// run did, and reported unless a rule turns it down.
    public mutating func releaseHeldBack() {
        if !heldBackReports.isEmpty { settleHeldBack(final: true) { _ in true } }
    }

    public mutating func warn(_ w: Warning) {
        let key = [w.kind.rawValue, w.stack == 0 ? w.cls : 0, w.stack]
        if warnedSites.contains(key) { return }
        warnedSites.insert(key)
        warnedThreads.insert(w.thread)
        pendingWarnings.append(w)
    }

    /// What the shim may stop sending (see SameClassNesting).
    public mutating func takeSameClassHints() -> [SameClassNesting.Hint] { graph.takeSameClassHints() }

    /// Hands over what was queued since the last call.
    public mutating func takePending() -> (reports: [CycleEvidence], warnings: [Warning]) {
        defer { pendingReports.removeAll(); pendingWarnings.removeAll() }
        return (pendingReports, pendingWarnings)
    }

    public mutating func takeSilenced() -> [SilencedCycle] {
        defer { pendingSilenced.removeAll() }
        return pendingSilenced
    }

    /// After fork only the forking thread survives.
    public mutating func forkedChild(survivor: UInt32) {
        for k in threads.keys where k != survivor { threads[k]?.live = false }
        // The parent reports them.
        heldBackReports.removeAll()
    }
}

/// What a cycle report is made of, before symbolization.
public struct CycleEvidence: Sendable {
    public struct Link: Sendable {
        public var from: EventNode
        public var to: EventNode
        public var witness: Witness
    }
    public var links: [Link]
    /// A cycle through a timed wait (R2.7): information, never a deadlock.
    public var throughTimedWait = false
    /// The cycle's threads that had exited when it closed. For a lock-order
    /// cycle, a thread that exited before another took the locks the other
    /// way did not overlap with it in this run: abba's first thread is
    /// joined before the second starts, knotd's scheduler before shutdown
    /// frees the zones. Still a deadlock of the code (lockdep, TSan and
    /// Helgrind report it too), but the report says so: the user sees that
    /// dept knows this run went fine, and why it reports anyway.
    public var exitedThreads: [UInt32] = []
    public init(cycle: FoundCycle, graph: DependencyGraph) {
        links = cycle.edges.map { e in
            let edge = graph.edges[e.edge]
            return Link(from: edge.from, to: edge.to, witness: e.witness)
        }
        throughTimedWait = cycle.throughTimedWait
    }
    public init(links: [Link], throughTimedWait: Bool = false) { self.links = links; self.throughTimedWait = throughTimedWait }
}

/// A found cycle not reported yet: a rule may still turn it down once
/// something is known that is not yet.
public struct HeldBackCycle: Sendable {
    public var evidence: CycleEvidence
    /// FoundCycle.identity: forgotten as reported if it is turned down.
    public var identity: [Int]
    /// The running thread whose exit it waits for (CycleJudge.awaitedExit):
    /// it may still wait again on the lock the cycle makes it wait for, or
    /// what ended its wait on the cycle's object is known once it exited.
    /// Nil for a cycle through a futex wake whose word's class is not known
    /// to be a lock yet (CycleJudge.futexLockRule), and for a lock cycle
    /// that changes objects in classes the program nests, judged on their
    /// order when the process ends (CycleJudge.instanceOrderRule).
    public var thread: UInt32?
}

/// A closed path a rule turned down, kept for its `verbosity=2` line.
public struct SilencedCycle: Sendable {
    public var rule: Rejection
    public var witnesses: [Witness]
}

/// A diagnostic that is not a deadlock.
public struct Warning: Sendable {
    public enum Kind: UInt32, Sendable {
        case unlockNotOwner = 1, unlockNotLocked, destroyLocked, exitHoldingLocks, relockErrorcheck, tableFull
        case robustNotConsistent
        /// A condition wait with a mutex the waiting thread does not hold.
        case condWaitUnheld
        /// A lock or trylock of a destroyed mutex (glibc: EINVAL), or of
        /// memory overwritten with what glibc's destroy leaves (kind -1).
        case lockDestroyed
        /// A sem_init that failed (glibc: EINVAL, a count above SEM_VALUE_MAX).
        case semInitFailed
        /// A sem_post that failed (glibc: EOVERFLOW, the count at SEM_VALUE_MAX).
        case semPostFailed
    }
    public var kind: Kind
    public var thread: UInt32
    public var cls: UInt32
    public var stack: UInt32
    public var held: [HeldContext] = []
    public init(kind: Kind, thread: UInt32, cls: UInt32, stack: UInt32, held: [HeldContext] = []) {
        self.kind = kind; self.thread = thread; self.cls = cls; self.stack = stack; self.held = held
    }
}
