import XCTest
@testable import DeptCore

/// The precision rules of CycleRules (issue 12), each on the smallest
/// synthetic stream that needs it, with the near miss it must keep.
final class CycleRulesTests: XCTestCase {
    typealias C = Cls

    // A worker thread T (body class T, instance 4001) that waits for lock L
    // (class A), and main joining it while holding L.
    let body = threadBody(C.T, 4001)
    func join() -> WaitPoint { joinWait(C.T, 4001) }

    // MARK: happens-before for a thread's exit (R2.4, F3 shape (a), F4)

    /// The worker's last wait returned at its time 5 (slot 1), and the
    /// joiner's clock says it knows the worker up to time 5: the join cannot
    /// wait for L. join_after_done_flag, join_after_sem_handoff,
    /// robust_owner_died_join.
    func testJoinAfterTheThreadsLastWaitIsSilent() {
        var d = Detector()
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.wait(thread: 2, held: [body], wait: lockWait(C.A))
        d.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 5))
        d.wait(thread: 1, held: [held(C.A)], wait: join(), request: VectorClock([3, 5]))
        XCTAssertTrue(d.takePending().reports.isEmpty, "the join was asked after the worker's last wait returned")
    }

    /// Near miss (join_under_mutex): the joiner knows nothing of the worker
    /// (only the mutex orders them): reported.
    func testJoinWithoutHardEdgeIsReported() {
        var d = Detector()
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.wait(thread: 2, held: [body], wait: lockWait(C.A))
        d.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 5))
        d.wait(thread: 1, held: [held(C.A)], wait: join(), request: VectorClock([3, 4]))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// A worker that still runs is judged by its live last wait.
    func testLiveThreadsLastWaitIsAskedLive() {
        var d = Detector()
        d.liveLastWait = { tid in tid == 2 ? Epoch(slot: 1, time: 9) : nil }
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.wait(thread: 2, held: [body], wait: lockWait(C.A))
        d.wait(thread: 1, held: [held(C.A)], wait: join(), request: VectorClock([3, 5]))
        XCTAssertEqual(d.takePending().reports.count, 1, "the worker waited again at time 9, after what the joiner knows")
    }

    /// When the worker last waited on lock L, per bucket of instances
    /// (LockWaitEpochs): L's bucket says `time`, every other bucket 0.
    func waitedOnA(at time: UInt32) -> LockWaitEpochs {
        var times = [UInt32](repeating: 0, count: 64)
        times[Int(inst(C.A)) % 64] = time
        return LockWaitEpochs(slot: 1, times: times)
    }

    /// rsyslog's tcpsrv: the worker took L once, at its time 4, then waited
    /// on other objects up to its time 9; the joiner, holding L, knows the
    /// worker up to time 5 (through the input thread it joined first). The
    /// worker's last wait of any kind is after what the joiner knows, its
    /// last wait on L is not: silent (happens-before).
    /// Examples/join_under_lock_taken_before.
    func testJoinAfterTheThreadsLastWaitOnTheLockIsSilent() {
        var d = joinAfterTheThreadsLastWaitOnTheLock(options: "verbosity=2")
        XCTAssertTrue(d.takePending().reports.isEmpty)
        XCTAssertEqual(d.takeSilenced().map(\.rule.rule), ["happens-before"])
    }

    func joinAfterTheThreadsLastWaitOnTheLock(options: String) -> Detector {
        var d = Detector(options: Options.parse(options).0)
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.wait(thread: 2, held: [body], wait: lockWait(C.A))
        d.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 9), lockWaits: waitedOnA(at: 4))
        d.wait(thread: 1, held: [held(C.A)], wait: join(), request: VectorClock([3, 5]))
        return d
    }

    /// `held_back=0` (what `dept run` sets with its `verbosity=2`): the
    /// same cycle is held back just as silently, with no line queued for it.
    func testHeldBackLinesCanBeTurnedOff() {
        var d = joinAfterTheThreadsLastWaitOnTheLock(options: "verbosity=2:held_back=0")
        XCTAssertTrue(d.takePending().reports.isEmpty)
        XCTAssertEqual(d.takeSilenced().count, 0)
    }

    /// The worker took L at its time 4 and ended at 9; thread 3 then took
    /// its clock slot over without knowing it had ended.
    func workerEndedAndItsSlotReused(_ detector: Detector) -> Detector {
        var d = detector
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.wait(thread: 2, held: [body], wait: lockWait(C.A))
        d.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 9), lockWaits: waitedOnA(at: 4))
        d.slotReused(slot: 1, after: 9)
        d.threadStarted(ThreadInfo(tid: 3, slot: 1))
        return d
    }

    /// The worker took L at its time 4 and ended at 9, unknown to anyone;
    /// a later thread took its slot over and ran to time 12, and the joiner
    /// heard from that one only. Its entry (12) is a later thread's time
    /// and says nothing of the worker's wait on L: reported
    /// (Examples/join_under_lock_slot_reuse).
    func testALaterThreadOnTheSlotDoesNotVouchForTheWorker() {
        var d = workerEndedAndItsSlotReused(Detector())
        d.wait(thread: 1, held: [held(C.A)], wait: join(), request: VectorClock([3, 12]))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Near miss: the same reuse, but the joiner heard from the worker
    /// itself after its wait on L (its entry, 5, is in the worker's era):
    /// still silent.
    func testTheSlotsOwnEraStillVouches() {
        var d = workerEndedAndItsSlotReused(Detector(options: Options.parse("verbosity=2").0))
        d.wait(thread: 1, held: [held(C.A)], wait: join(), request: VectorClock([3, 5]))
        XCTAssertTrue(d.takePending().reports.isEmpty)
        XCTAssertEqual(d.takeSilenced().map(\.rule.rule), ["happens-before"])
    }

    func testSlotEras() {
        var eras = SlotEras()
        XCTAssertTrue(eras.sameEra(Epoch(slot: 1, time: 4), known: 100), "no reuse: one era")
        eras.reused(slot: 1, after: 9)
        eras.reused(slot: 1, after: 20)
        XCTAssertTrue(eras.sameEra(Epoch(slot: 1, time: 4), known: 9), "up to the old thread's end")
        XCTAssertFalse(eras.sameEra(Epoch(slot: 1, time: 4), known: 10))
        XCTAssertFalse(eras.sameEra(Epoch(slot: 1, time: 9), known: 15))
        XCTAssertTrue(eras.sameEra(Epoch(slot: 1, time: 10), known: 20), "within the second era")
        XCTAssertFalse(eras.sameEra(Epoch(slot: 1, time: 10), known: 21))
        XCTAssertTrue(eras.sameEra(Epoch(slot: 1, time: 21), known: 1000), "the latest era is open")
        XCTAssertTrue(eras.sameEra(Epoch(slot: 2, time: 4), known: 100), "other slots are untouched")
        XCTAssertTrue(eras.sameEra(Epoch(slot: 1, time: 4), known: 4), "the epoch itself")
        XCTAssertFalse(VectorClock([0, 12]).covers(Epoch(slot: 1, time: 4), eras: eras))
        XCTAssertTrue(VectorClock([0, 12]).covers(Epoch(slot: 1, time: 11), eras: eras))
        // Boundaries beyond the kept ones are forgotten: an epoch in an era
        // whose end is no longer known is covered by its own time only.
        var many = SlotEras()
        for k in 1...UInt32(SlotEras.kept + 1) { many.reused(slot: 0, after: k * 10) }
        XCTAssertFalse(many.sameEra(Epoch(slot: 0, time: 3), known: 5))
        XCTAssertTrue(many.sameEra(Epoch(slot: 0, time: 3), known: 3))
        XCTAssertTrue(many.sameEra(Epoch(slot: 0, time: 15), known: 19), "a kept era")
        XCTAssertFalse(many.sameEra(Epoch(slot: 0, time: 15), known: 21))
    }

    /// Near miss (join_under_lock_taken_after): the worker's last wait on L
    /// was at its time 6, after what the joiner knows: reported.
    func testJoinBeforeTheThreadsLastWaitOnTheLockIsReported() {
        var d = Detector()
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.wait(thread: 2, held: [body], wait: lockWait(C.A))
        d.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 9), lockWaits: waitedOnA(at: 6))
        d.wait(thread: 1, held: [held(C.A)], wait: join(), request: VectorClock([3, 5]))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Two workers of one pool joined in turn under L: the first was past L
    /// before the joins were asked for, the second took L after what the
    /// joiner knows. The second join repeats the first's observation (same
    /// thread, same held locks) but not its verdict: reported.
    func testSecondWorkersJoinIsJudgedOnItsOwn() {
        var d = Detector()
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.threadStarted(ThreadInfo(tid: 3, slot: 2))
        d.wait(thread: 2, held: [threadBody(C.T, 4001)], wait: lockWait(C.A))
        d.wait(thread: 3, held: [threadBody(C.T, 4002)], wait: lockWait(C.A))
        d.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 9), lockWaits: waitedOnA(at: 4))
        var late = waitedOnA(at: 6)
        late.slot = 2
        d.threadExited(3, holding: [], lastWait: Epoch(slot: 2, time: 9), lockWaits: late)
        d.wait(thread: 1, held: [held(C.A)], wait: joinWait(C.T, 4001), request: VectorClock([3, 5, 5]))
        XCTAssertTrue(d.takePending().reports.isEmpty)
        d.wait(thread: 1, held: [held(C.A)], wait: joinWait(C.T, 4002), request: VectorClock([3, 5, 5]))
        XCTAssertEqual(d.takePending().reports.count, 1, "the second worker waited on L after what the joiner knows")
    }

    /// As above, but the first worker still runs at its join, so that
    /// cycle is held back: the second worker's join, the same cycle of
    /// classes, must still be judged on its own, and reported at once, not
    /// lost when the first worker exits past L and its cycle is dropped.
    func testSecondWorkersJoinIsJudgedWhileTheFirstIsHeldBack() {
        var d = Detector()
        d.liveLastWait = { tid in tid == 2 ? Epoch(slot: 1, time: 9) : nil }
        d.liveLockWait = { tid, i in tid == 2 && i == inst(C.A) ? Epoch(slot: 1, time: 4) : nil }
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.threadStarted(ThreadInfo(tid: 3, slot: 2))
        d.wait(thread: 2, held: [threadBody(C.T, 4001)], wait: lockWait(C.A))
        d.wait(thread: 3, held: [threadBody(C.T, 4002)], wait: lockWait(C.A))
        var late = waitedOnA(at: 6)
        late.slot = 2
        d.threadExited(3, holding: [], lastWait: Epoch(slot: 2, time: 9), lockWaits: late)
        d.wait(thread: 1, held: [held(C.A)], wait: joinWait(C.T, 4001), request: VectorClock([3, 5, 5]))
        XCTAssertTrue(d.takePending().reports.isEmpty)
        XCTAssertEqual(d.heldBackReports.map(\.thread), [2])
        d.wait(thread: 1, held: [held(C.A)], wait: joinWait(C.T, 4002), request: VectorClock([3, 5, 5]))
        XCTAssertEqual(d.takePending().reports.count, 1, "the second worker waited on L after what the joiner knows")
        d.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 9), lockWaits: waitedOnA(at: 4))
        XCTAssertTrue(d.takePending().reports.isEmpty, "reported once")
        XCTAssertTrue(d.heldBackReports.isEmpty)
    }

    /// The same join while the worker still runs (its waits on L so far at
    /// time 4): it may wait on L again, so the cycle is held back until it
    /// exits and judged on what it did by then.
    func testLiveThreadIsJudgedOnItsLockWaitsWhenItExits() {
        func joinWhileRunning() -> Detector {
            var d = Detector()
            d.liveLastWait = { tid in tid == 2 ? Epoch(slot: 1, time: 9) : nil }
            d.liveLockWait = { tid, i in tid == 2 && i == inst(C.A) ? Epoch(slot: 1, time: 4) : nil }
            d.threadStarted(ThreadInfo(tid: 2, slot: 1))
            d.wait(thread: 2, held: [body], wait: lockWait(C.A))
            d.wait(thread: 1, held: [held(C.A)], wait: join(), request: VectorClock([3, 5]))
            XCTAssertTrue(d.takePending().reports.isEmpty)
            XCTAssertEqual(d.heldBackReports.map(\.thread), [2])
            return d
        }
        var done = joinWhileRunning()
        done.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 9), lockWaits: waitedOnA(at: 4))
        XCTAssertTrue(done.takePending().reports.isEmpty, "it never waited on L after the join was asked for")
        XCTAssertTrue(done.heldBackReports.isEmpty)

        var again = joinWhileRunning()
        again.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 9), lockWaits: waitedOnA(at: 7))
        XCTAssertEqual(again.takePending().reports.count, 1, "it waited on L again after the join was asked for")

        var running = joinWhileRunning()
        running.releaseHeldBack()
        XCTAssertTrue(running.takePending().reports.isEmpty, "the process ended with the worker past L")
    }

    /// The buckets give each instance its bucket's time: an upper bound of
    /// its own latest wait (another lock of the bucket waited for later
    /// moves it later, never earlier); 0 is no wait, and no clock.
    func testLockWaitEpochsAreUpperBoundsPerBucket() {
        var times = [UInt32](repeating: 0, count: 64)
        times[5] = 7
        let w = LockWaitEpochs(slot: 3, times: times)
        XCTAssertEqual(w.latest(5), Epoch(slot: 3, time: 7))
        XCTAssertEqual(w.latest(69), Epoch(slot: 3, time: 7), "instance 69 shares bucket 5")
        XCTAssertNil(w.latest(6))
        XCTAssertNil(LockWaitEpochs(slot: 3, times: []).latest(5))
    }

    /// Near miss: a running worker whose wait on L so far is not known to
    /// the joiner is reported at once, not held back.
    func testLiveThreadsUnorderedLockWaitIsReportedAtOnce() {
        var d = Detector()
        d.liveLockWait = { tid, i in tid == 2 && i == inst(C.A) ? Epoch(slot: 1, time: 6) : nil }
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.wait(thread: 2, held: [body], wait: lockWait(C.A))
        d.wait(thread: 1, held: [held(C.A)], wait: join(), request: VectorClock([3, 5]))
        XCTAssertEqual(d.takePending().reports.count, 1)
        XCTAssertTrue(d.heldBackReports.isEmpty)
    }

    /// The joined worker waited on condvar C (slot 1) and was woken by the
    /// joiner's own signal at its time 3; the joiner asked for the join at
    /// time 5, then signalled C again (depending on the join, through its
    /// history, while another thread waited on C). The worker's last wait
    /// of any kind came later (time 9), but its wait on C was over before
    /// the join: silent. join_after_own_wakeup, perl's threads::shared.
    func testJoinAfterWakingTheThreadItselfIsSilent() {
        XCTAssertTrue(joinThenSignal(wokenBy: Epoch(slot: 0, time: 3)).isEmpty)
    }

    /// Near miss (join_after_other_wakeup): a third thread (slot 2) woke
    /// the worker, and the joiner knows only its own time: reported.
    func testJoinAfterAnotherThreadWokeItIsReported() {
        XCTAssertEqual(joinThenSignal(wokenBy: Epoch(slot: 2, time: 3)).count, 1)
    }

    /// The third thread's wake-up, but the joiner learned of it (through
    /// hard edges) before it asked for the join: its clock then, kept with
    /// the join, covers it. Silent.
    func testJoinAfterAWakeUpTheJoinerKnewOfIsSilent() {
        XCTAssertTrue(joinThenSignal(wokenBy: Epoch(slot: 2, time: 3), joinerKnew: VectorClock([5, 0, 3])).isEmpty)
    }

    private func joinThenSignal(wokenBy: Epoch, joinerKnew: VectorClock? = nil) -> [CycleEvidence] {
        var d = Detector()
        let c = WaitPoint(cls: C.C, inst: inst(C.C), awaits: [.exclusive], op: .condWait)
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.wait(thread: 2, held: [body], wait: c, started: 10)
        let ended = HistoryWait(cls: C.C, inst: inst(C.C), op: .condWait, timestamp: 10,
                                clocks: WaitClocks(returned: Epoch(slot: 1, time: 8), satisfiedBy: [wokenBy]))
        d.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 9), endedWaits: [ended])
        var joined = WaitClocks()
        joined.requestedAt = Epoch(slot: 0, time: 5)
        if let vc = joinerKnew { joined.request = d.internClock(vc) }
        d.event(thread: 1, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0), held: [],
                history: [HistoryWait(cls: C.T, inst: 4001, op: .join, timestamp: 20, clocks: joined)],
                window: 15, release: false)
        return d.takePending().reports
    }

    /// The join is asked for while the worker still runs (on its way out
    /// after the joiner's signal woke it: FFmpeg's frame threads at
    /// avcodec_close, under VLC's stream output lock); the cycle goes
    /// through its wait on condvar C, signalled by a third thread under
    /// the lock the joiner holds. What ended that wait is known once the
    /// worker exited: held back until then. Ended by the joiner's own
    /// signal: dropped; by the third thread's: reported.
    func testLiveThreadsConditionWaitIsJudgedWhenItExits() {
        func joinWhileRunning() -> Detector {
            var d = Detector()
            d.liveLastWait = { tid in tid == 2 ? Epoch(slot: 1, time: 9) : nil }
            let c = WaitPoint(cls: C.C, inst: inst(C.C), awaits: [.exclusive], op: .condWait)
            d.threadStarted(ThreadInfo(tid: 2, slot: 1))
            d.threadStarted(ThreadInfo(tid: 3, slot: 2))
            d.wait(thread: 2, held: [body], wait: c, started: 10)
            d.event(thread: 3, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0), held: [held(C.A)],
                    history: [], window: nil, release: false)
            d.wait(thread: 1, held: [held(C.A)], wait: join(), request: VectorClock([5, 0, 0]))
            XCTAssertTrue(d.takePending().reports.isEmpty, "held back while the worker runs")
            XCTAssertEqual(d.heldBackReports.map(\.thread), [2])
            return d
        }
        func exit(_ d: inout Detector, wokenBy: Epoch) {
            let ended = HistoryWait(cls: C.C, inst: inst(C.C), op: .condWait, timestamp: 10,
                                    clocks: WaitClocks(returned: Epoch(slot: 1, time: 8), satisfiedBy: [wokenBy]))
            d.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 9), endedWaits: [ended])
        }
        var own = joinWhileRunning()
        exit(&own, wokenBy: Epoch(slot: 0, time: 4))
        XCTAssertTrue(own.takePending().reports.isEmpty, "the joiner's own signal ended the wait before the join")
        XCTAssertTrue(own.heldBackReports.isEmpty)

        var other = joinWhileRunning()
        exit(&other, wokenBy: Epoch(slot: 2, time: 3))
        XCTAssertEqual(other.takePending().reports.count, 1, "the third thread's signal, unknown to the joiner")

        var never = joinWhileRunning()
        never.releaseHeldBack()
        XCTAssertEqual(never.takePending().reports.count, 1, "the process ended with the worker still running")
    }

    /// Lock-order cycles are never judged by happens-before (rounds that
    /// are sequenced are what lockdep predicts across): abba.
    func testLockOrderCycleIgnoresClocks() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.B), request: VectorClock([9, 9]))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A), request: VectorClock([9, 9]))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    func testVerdicts() {
        let r = VectorClock([4, 7])
        XCTAssertEqual(HappensBefore.verdict(request: r, returned: Epoch(slot: 1, time: 7), satisfiedBy: []), .returnedBefore)
        XCTAssertEqual(HappensBefore.verdict(request: r, returned: Epoch(slot: 1, time: 8), satisfiedBy: []), .valid)
        XCTAssertEqual(HappensBefore.verdict(request: r, returned: nil, satisfiedBy: [Epoch(slot: 0, time: 4)]), .satisfiedBefore)
        XCTAssertEqual(HappensBefore.verdict(request: r, returned: nil,
                                             satisfiedBy: [Epoch(slot: 0, time: 4), Epoch(slot: 2, time: 1)]), .valid,
                       "every event that may have ended the wait must be known")
        XCTAssertEqual(HappensBefore.verdict(request: r, returned: Epoch(slot: 0, time: 0), satisfiedBy: []), .valid,
                       "time 0 is unknown")
    }

    // MARK: valid since (R2.3, history dependencies)

    /// Two condvars in a ring of history dependencies: each context's wait
    /// would have to start before the next one's. token_ring_queues.
    func testRingOfHistoryDependenciesIsSilent() {
        var d = Detector()
        let c1 = WaitPoint(cls: C.C, inst: inst(C.C), awaits: [.exclusive], op: .condWait)
        let c2 = WaitPoint(cls: C.D, inst: inst(C.D), awaits: [.exclusive], op: .condWait)
        // T2 waits c1 (from 10) and signals c2; T3 waits c2 (from 20) and signals c1.
        d.event(thread: 2, event: PointRef(cls: C.D, inst: inst(C.D), op: .condSignal, stack: 0),
                held: [], history: [HistoryWait(cls: C.C, inst: inst(C.C), op: .condWait, timestamp: 10)], window: 5, release: false)
        d.event(thread: 3, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0),
                held: [], history: [HistoryWait(cls: C.D, inst: inst(C.D), op: .condWait, timestamp: 20)], window: 5, release: false)
        _ = (c1, c2)
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// Near miss: a waiter that started before the signaller's own wait
    /// (cond_outer_lock's shape through a history wait): the request at 5
    /// precedes the signaller's wait at 10.
    func testWaiterThatStartedFirstKeepsTheDependency() {
        var d = Detector()
        // T2 holds A while it waits for C (request started at 5).
        d.wait(thread: 2, held: [held(C.A)], wait: WaitPoint(cls: C.C, inst: inst(C.C), awaits: [.exclusive], op: .condWait),
               started: 5)
        // T3 read eventfd D (from 10), then signalled C; A is released after D's write by T4 holding... keep it two
        // contexts: T3's signal of C depends on its wait for A that started at 10.
        d.event(thread: 3, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0),
                held: [], history: [HistoryWait(cls: C.A, inst: inst(C.A), awaits: [.exclusive, .shared], op: .lock, timestamp: 10)],
                window: 5, release: false)
        XCTAssertEqual(d.takePending().reports.count, 1)
        var e = Detector()
        e.wait(thread: 2, held: [held(C.A)], wait: WaitPoint(cls: C.C, inst: inst(C.C), awaits: [.exclusive], op: .condWait),
               started: 15)
        e.event(thread: 3, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0),
                held: [], history: [HistoryWait(cls: C.A, inst: inst(C.A), awaits: [.exclusive, .shared], op: .lock, timestamp: 10)],
                window: 5, release: false)
        XCTAssertTrue(e.takePending().reports.isEmpty, "T3's wait for A started before T2 asked for C's signal")
    }

    /// Posts are judged the same way (OpenJDK's work gang: a worker asks
    /// for "start" only after the dispatcher began waiting for "end").
    /// The waiter for D's post started at 15, after the poster's wait for
    /// A (10): silent; at 5, before it: reported.
    func testValidSinceJudgesSemaphorePosts() {
        for (started, reports) in [(15, 0), (5, 1)] {
            var d = Detector()
            d.wait(thread: 2, held: [held(C.A)], wait: WaitPoint(cls: C.D, inst: inst(C.D), awaits: [.exclusive], op: .semWait),
                   started: UInt64(started))
            d.event(thread: 3, event: PointRef(cls: C.D, inst: inst(C.D), op: .semPost, stack: 0),
                    held: [], history: [HistoryWait(cls: C.A, inst: inst(C.A), awaits: [.exclusive, .shared], op: .lock,
                                                    timestamp: 10)],
                    window: 5, release: false)
            XCTAssertEqual(d.takePending().reports.count, reports, "waiter started at \(started)")
        }
    }

    /// R2.4 for a wait in a post's history (sem_barrier_token_found, the
    /// shape of Helgrind's tc17_sembar): T2 posts arrive (its time 4), then
    /// waits for leave holding bar (A), asking at its time 5, from 20. T3's
    /// post of leave depends on its wait for arrive (from 30), which did not
    /// block: the token it took was T2's post, which T2's request knows of.
    /// T4 takes bar before it posts arrive. Silent; the near miss
    /// (sem_ring_poster_first), where the token T3 took was T4's post, which
    /// nothing orders before T2's request, is reported.
    func testHistoryWaitEndedBeforeTheRequestIsSilent() {
        for (poster, reports) in [(Epoch(slot: 1, time: 4), 0), (Epoch(slot: 3, time: 2), 1)] {
            var d = Detector()
            d.wait(thread: 2, held: [held(C.A)], wait: WaitPoint(cls: C.D, inst: inst(C.D), awaits: [.exclusive], op: .semWait),
                   request: VectorClock([0, 5]), started: 20)
            var found = WaitClocks(satisfiedBy: [poster])
            found.returned = Epoch(slot: 2, time: 3)
            d.event(thread: 3, event: PointRef(cls: C.D, inst: inst(C.D), op: .semPost, stack: 0),
                    held: [], history: [HistoryWait(cls: C.C, inst: inst(C.C), op: .semWait, timestamp: 30, clocks: found)],
                    window: 10, release: false)
            d.event(thread: 4, event: PointRef(cls: C.C, inst: inst(C.C), op: .semPost, stack: 0),
                    held: [held(C.A)], history: [], window: nil, release: false)
            XCTAssertEqual(d.takePending().reports.count, reports, "the token came from \(poster)")
        }
    }

    // MARK: OR-waits (R2.6)

    /// C's signal at site 0x200 depends on the cycle's wait; C is also
    /// signalled at 0x300, which depends on nothing: a way out.
    func testHistoryDependencyWithAnotherIndependentSignallerIsSilent() {
        var d = orStream(otherSiteDependsBack: false)
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// Near miss: every signaller of C depends back into the cycle.
    func testEverySignallerDependingBackIsReported() {
        var d = orStream(otherSiteDependsBack: true)
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    private func orStream(otherSiteDependsBack: Bool) -> Detector {
        var d = Detector()
        d.triggerSite(cls: C.C, site: 0x200)
        d.triggerSite(cls: C.C, site: 0x300)
        if otherSiteDependsBack {
            // The other site signals C after a wait for A too.
            d.event(thread: 4, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0, site: 0x300),
                    held: [], history: [HistoryWait(cls: C.A, inst: inst(C.A), awaits: [.exclusive, .shared], op: .lock, timestamp: 30)],
                    window: 25, release: false)
        }
        d.wait(thread: 2, held: [held(C.A)], wait: WaitPoint(cls: C.C, inst: inst(C.C), awaits: [.exclusive], op: .condWait),
               started: 5)
        d.event(thread: 3, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0, site: 0x200),
                held: [], history: [HistoryWait(cls: C.A, inst: inst(C.A), awaits: [.exclusive, .shared], op: .lock, timestamp: 10)],
                window: 5, release: false)
        return d
    }

    /// One call site for every signal of C (a lock built from a mutex and
    /// a condvar releases through one site): the cycle's signal at 0x200
    /// depends on the wait for A, and another thread's signal at 0x200
    /// depended only on mutex M: a way out. join_after_helper_wakeup.
    func testSameSiteSignalWithoutTheCycleIsSilent() {
        XCTAssertTrue(sameSiteStream(otherDependsOn: C.M).isEmpty)
    }

    /// Near miss: that other signal depended on A too (join_after_other_wakeup).
    func testSameSiteSignalDependingBackIsReported() {
        XCTAssertEqual(sameSiteStream(otherDependsOn: C.A).count, 1)
    }

    private func sameSiteStream(otherDependsOn cls: UInt32) -> [CycleEvidence] {
        var d = Detector()
        d.triggerSite(cls: C.C, site: 0x200)
        d.event(thread: 4, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0, site: 0x200),
                held: [held(cls)], history: [], window: nil, release: false)
        d.wait(thread: 2, held: [held(C.A)], wait: WaitPoint(cls: C.C, inst: inst(C.C), awaits: [.exclusive], op: .condWait),
               started: 5)
        d.event(thread: 3, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0, site: 0x200),
                held: [], history: [HistoryWait(cls: C.A, inst: inst(C.A), awaits: [.exclusive, .shared], op: .lock, timestamp: 10)],
                window: 5, release: false)
        return d.takePending().reports
    }

    func testTriggerSetsKeepDistinctSmallSets() {
        var t = TriggerSets()
        t.record(cls: 1, site: 0x10, classes: [5, 3, 5])
        t.record(cls: 1, site: 0x10, classes: Array(100..<120))
        XCTAssertNil(t.siteWithout(cls: 1, sites: [0x10], classes: [3]))
        XCTAssertEqual(t.siteWithout(cls: 1, sites: [0x10], classes: [4]), 0x10)
        XCTAssertNil(t.siteWithout(cls: 1, sites: [0x10], classes: [3, 5]), "the big set was not kept")
        XCTAssertNil(t.siteWithout(cls: 2, sites: [0x10], classes: [4]))
    }

    /// A dependency on a lock the event fires under is lockdep's rule: other
    /// signallers do not excuse it (cond_outer_lock).
    func testHeldLockDependencyIgnoresOtherSignallers() {
        var d = Detector()
        d.triggerSite(cls: C.C, site: 0x200)
        d.triggerSite(cls: C.C, site: 0x300)
        d.wait(thread: 2, held: [held(C.A)], wait: WaitPoint(cls: C.C, inst: inst(C.C), awaits: [.exclusive], op: .condWait))
        d.event(thread: 3, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0, site: 0x200),
                held: [held(C.A)], history: [], window: nil, release: false)
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    // MARK: a way out the waiter woke itself (CPython's GIL drop request)

    /// CPython's drop_gil: thread 2 holds A (a Python lock) and waits on C
    /// (switch_cond) after waking a thread asleep on D (gil->cond); thread
    /// 3 once signalled C under A. A thread whose last wait was on a D
    /// (`woken`'s firing) signalled C holding only G. `wokenHolds` is what
    /// that firing held, `woke` what thread 2's wait says it woke.
    private func wokeStream(wokenHolds: [UInt32], after: UInt32 = C.D, woke: UInt32 = C.D) -> Detector {
        var d = Detector(options: Options.parse("verbosity=2").0)
        var fromD = PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0, site: 0x200)
        fromD.after = after
        d.event(thread: 4, event: fromD, held: wokenHolds.map { held($0) }, history: [], window: nil, release: false)
        d.event(thread: 3, event: PointRef(cls: C.C, inst: inst(C.C), op: .condSignal, stack: 0, site: 0x200),
                held: [held(C.A)], history: [], window: nil, release: false)
        var wait = condWait(C.C)
        wait.woke = woke
        d.wait(thread: 2, held: [held(C.A)], wait: wait)
        return d
    }

    func testWaitAfterWakingASignallerIsSilent() {
        var d = wokeStream(wokenHolds: [C.G])
        XCTAssertTrue(d.takePending().reports.isEmpty, "the thread woken from D signals C without A")
        XCTAssertEqual(d.takeSilenced().map(\.rule.rule), ["woke"])
    }

    /// Near miss (cond_woke_needs_lock): a thread woken from D was seen
    /// signalling C only holding A, which the waiter holds.
    func testWokenThreadThatNeedsTheLockIsReported() {
        var d = wokeStream(wokenHolds: [C.G, C.A])
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Near miss (cond_outer_lock): the waiter woke nobody.
    func testWaitThatWokeNobodyIsReported() {
        var d = wokeStream(wokenHolds: [C.G], woke: 0)
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// The signal without A came after a wait on another class: nothing
    /// says the thread the waiter woke from D goes on to signal C.
    func testSignallerAfterAnotherWaitIsNoWayOut() {
        var d = wokeStream(wokenHolds: [C.G], after: C.X)
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    func testWakeChainsKeepSetsPerEventAndWait() {
        var w = WakeChains()
        w.record(fired: C.C, after: C.D, classes: [C.A, C.G])
        w.record(fired: C.C, after: 0, classes: [])
        XCTAssertFalse(w.fired(C.C, after: C.D, without: [C.A]))
        XCTAssertTrue(w.fired(C.C, after: C.D, without: [C.X]))
        XCTAssertFalse(w.fired(C.C, after: 0, without: []), "a firing after no wait says nothing")
        XCTAssertFalse(w.fired(C.B, after: C.D, without: []))
    }

    // MARK: collectors serialised by one lock (Boehm GC's parallel mark)

    func condWait(_ cls: UInt32) -> WaitPoint {
        WaitPoint(cls: cls, inst: inst(cls), awaits: [.exclusive], op: .condWait)
    }
    func broadcast(_ thread: UInt32, _ d: inout Detector, holding h: [HeldContext]) {
        d.event(thread: thread, event: PointRef(cls: C.C, inst: inst(C.C), op: .condBroadcast, stack: 0, site: 0x200),
                held: h, history: [], window: nil, release: false)
    }

    /// Each collector holds A, broadcasts C to wake the markers, and waits
    /// on C for them: thread 2's wait under A and thread 3's broadcast
    /// under A close a cycle, but thread 2 broadcasts under A too, so its
    /// wait is ended by a marker (cond_kick_then_wait, ECL).
    func testCollectorsSerialisedByOneLockAreSilent() {
        var d = Detector()
        broadcast(2, &d, holding: [held(C.A)])
        d.wait(thread: 2, held: [held(C.A)], wait: condWait(C.C))
        broadcast(3, &d, holding: [held(C.A)])
        d.wait(thread: 3, held: [held(C.A)], wait: condWait(C.C))
        XCTAssertTrue(d.takePending().reports.isEmpty, "the waiter signals C under A itself")
    }

    /// The waiter's own broadcast counts however it took A: a trylock gives
    /// no dependency, but A is held (Boehm GC's LOCK() tries first).
    func testCollectorUnderATrylockIsSilent() {
        var d = Detector()
        broadcast(2, &d, holding: [held(C.A, op: .trylock, flags: HeldContext.tryFlag)])
        d.wait(thread: 2, held: [held(C.A, op: .trylock, flags: HeldContext.tryFlag)], wait: condWait(C.C))
        broadcast(3, &d, holding: [held(C.A)])
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// Near miss (cond_kick_by_other): thread 2 only waits under A, for a
    /// broadcast that another thread makes under A; collector 4 playing
    /// both parts elsewhere excuses nothing: reported.
    func testWaiterThatNeverSignalsUnderTheLockIsReported() {
        var d = Detector()
        broadcast(4, &d, holding: [held(C.A)])
        d.wait(thread: 4, held: [held(C.A)], wait: condWait(C.C))
        d.wait(thread: 2, held: [held(C.A)], wait: condWait(C.C))
        broadcast(3, &d, holding: [held(C.A)])
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Near miss: the waiter signals C, but under another lock than the one
    /// it waits in: reported.
    func testWaiterSignallingUnderAnotherLockIsReported() {
        var d = Detector()
        broadcast(2, &d, holding: [held(C.B)])
        d.wait(thread: 2, held: [held(C.A)], wait: condWait(C.C))
        broadcast(3, &d, holding: [held(C.A)])
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Near miss (cond_lock_hand_over_hand): the waiter's own signal
    /// releases a lock built on the condvar, acquired after it took A (A
    /// is marked entered before its check): a waiter in such an acquire
    /// needs the other thread's release, which it makes under A: reported.
    func testWaiterReleasingACondvarLockUnderTheLockIsReported() {
        var d = Detector()
        broadcast(2, &d, holding: [held(C.A, flags: HeldContext.beforeCheckFlag)])
        d.wait(thread: 2, held: [held(C.A)], wait: condWait(C.C))
        broadcast(3, &d, holding: [held(C.A)])
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Near miss: the waiter signalled another object's condvar under
    /// another object's lock, of the same classes: it plays no part at
    /// these objects (per-object monitors): reported.
    func testWaiterSignallingOtherObjectsIsReported() {
        var d = Detector()
        d.event(thread: 2, event: PointRef(cls: C.C, inst: inst(C.C, 1), op: .condBroadcast, stack: 0, site: 0x200),
                held: [held(C.A, inst(C.A, 1))], history: [], window: nil, release: false)
        d.wait(thread: 2, held: [held(C.A)], wait: condWait(C.C))
        broadcast(3, &d, holding: [held(C.A)])
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    func testLockedSignalsAreBounded() {
        var s = LockedSignals()
        for t in 0..<UInt32(LockedSignals.capacity + 10) { s.record(thread: t, cond: 1, lock: 2) }
        XCTAssertTrue(s.contains(thread: 0, cond: 1, lock: 2))
        XCTAssertFalse(s.contains(thread: UInt32(LockedSignals.capacity), cond: 1, lock: 2), "past the bound: not kept")
        XCTAssertFalse(s.contains(thread: 0, cond: 2, lock: 1))
    }

    // MARK: wrapper classes (R1.2, R1.3)

    /// A prefix reached from two next frames is a funnel; the class key
    /// grows by one frame past it.
    func testFunnelsNameClassesByTheirCallers() {
        var f = Funnels()
        XCTAssertEqual(f.depth(of: [0x10, 0x20, 0x30]), 1)
        f.observe([0x10, 0x20, 0x30])
        XCTAssertEqual(f.depth(of: [0x10, 0x20, 0x30]), 1, "one caller: no funnel")
        f.observe([0x10, 0x21, 0x30])
        XCTAssertTrue(f.isFunnel([0x10]))
        XCTAssertEqual(f.key(of: [0x10, 0x20, 0x30]), [0x10, 0x20])
        XCTAssertEqual(f.key(of: [0x10, 0x21, 0x31]), [0x10, 0x21])
        // A wrapper of the wrapper: (0x10, 0x20) called from two places.
        f.observe([0x10, 0x20, 0x31])
        XCTAssertEqual(f.key(of: [0x10, 0x20, 0x30]), [0x10, 0x20, 0x30])
    }

    /// A wrapper reached through helpers that each have one caller: the
    /// frames before the funnel name nothing, the one past it does.
    func testDeepFunnelBehindSingleCallerHelpers() {
        var f = Funnels()
        f.observe([0x10, 0x20, 0x30, 0x40, 0x50, 0x60])
        XCTAssertEqual(f.depth(of: [0x10, 0x20, 0x30, 0x40, 0x50, 0x60]), 1, "one caller at every level: no funnel")
        f.observe([0x10, 0x20, 0x30, 0x40, 0x51, 0x61])
        XCTAssertFalse(f.isFunnel([0x10]))
        XCTAssertTrue(f.isFunnel([0x10, 0x20, 0x30, 0x40]))
        XCTAssertEqual(f.key(of: [0x10, 0x20, 0x30, 0x40, 0x50, 0x60]), [0x10, 0x20, 0x30, 0x40, 0x50])
        XCTAssertEqual(f.key(of: [0x10, 0x20, 0x30, 0x40, 0x51, 0x61]), [0x10, 0x20, 0x30, 0x40, 0x51])
        // Another caller of the innermost helper alone: still named past the
        // deepest funnel of its own call string.
        f.observe([0x10, 0x22, 0x32])
        XCTAssertEqual(f.key(of: [0x10, 0x22, 0x32]), [0x10, 0x22])
        XCTAssertEqual(f.key(of: [0x10, 0x20, 0x30, 0x40, 0x51, 0x61]), [0x10, 0x20, 0x30, 0x40, 0x51])
    }

    /// Rule: the lazily expanded trie answers as one that keeps every
    /// prefix of every call string (checked against such a one, on random
    /// call strings that share prefixes, repeat, and differ in length).
    func testFunnelsAnswerAsTheWholeTrie() {
        struct Whole {
            var next: [[UInt]: Set<UInt>] = [:]
            var seeded: Set<[UInt]> = []
            mutating func observe(_ cs: [UInt], seed: Int) {
                guard !cs.isEmpty else { return }
                let limit = min(cs.count, Funnels.maxDepth + 1)
                if seed > 0 { for k in 1...min(seed, limit) { seeded.insert(Array(cs[0..<k])) } }
                for d in 1..<max(limit, 1) { next[Array(cs[0..<d]), default: []].insert(cs[d]) }
            }
            func isFunnel(_ p: [UInt]) -> Bool { seeded.contains(p) || (next[p]?.count ?? 0) >= 2 }
            func depth(_ cs: [UInt]) -> Int {
                var depth = 1
                var d = 1
                while d < min(cs.count, Funnels.maxDepth) {
                    if isFunnel(Array(cs[0..<d])) { depth = d + 1 }
                    d += 1
                }
                return depth
            }
        }
        var rng = FuzzRNG(seed: 7)
        for round in 0..<20 {
            var f = Funnels(), whole = Whole()
            var seen: [[UInt]] = []
            for _ in 0..<300 {
                var cs: [UInt]
                if !seen.isEmpty && rng.next() % 3 == 0 {
                    // A known call string, again or cut and continued.
                    cs = seen[Int(rng.next() % UInt64(seen.count))]
                    let keep = Int(rng.next() % UInt64(cs.count + 1))
                    cs = Array(cs.prefix(keep))
                    while cs.count < 1 + Int(rng.next() % 12) { cs.append(UInt(0x100 + rng.next() % 3)) }
                } else {
                    cs = (0..<(1 + Int(rng.next() % 12))).map { _ in UInt(0x100 + rng.next() % 3) }
                }
                let seed = rng.next() % 50 == 0 ? 1 + Int(rng.next() % 3) : 0
                f.observe(cs, seed: seed)
                whole.observe(cs, seed: seed)
                seen.append(cs)
                let probe = seen[Int(rng.next() % UInt64(seen.count))]
                XCTAssertEqual(f.depth(of: probe), whole.depth(probe), "round \(round): depth of \(probe)")
            }
            for cs in seen {
                XCTAssertEqual(f.depth(of: cs), whole.depth(cs), "round \(round): depth of \(cs)")
                for k in 1...cs.count {
                    XCTAssertEqual(f.isFunnel(Array(cs.prefix(k))), whole.isFunnel(Array(cs.prefix(k))),
                                   "round \(round): funnel \(Array(cs.prefix(k)))")
                }
            }
        }
    }

    func testSeedMarksAKnownWrapperAtOnce() {
        var f = Funnels()
        f.observe([0x10, 0x20], seed: 1)
        XCTAssertEqual(f.depth(of: [0x10, 0x20]), 2)
    }

    /// GLib's g_rec_mutex_init makes its mutex two frames deep in libglib:
    /// the first object is already named by the frame past the library,
    /// not by GLib's second frame until g_rec_mutex_init has two callers.
    func testSeedCoversEveryFrameInTheWrapperLibrary() {
        var f = Funnels()
        f.observe([0x10, 0x11, 0x20, 0x30], seed: 2)
        XCTAssertEqual(f.depth(of: [0x10, 0x11, 0x20, 0x30]), 3)
        XCTAssertTrue(f.isFunnel([0x10, 0x11]))
        // Another caller, and the first call string again: nothing moves.
        f.observe([0x10, 0x11, 0x21, 0x31], seed: 2)
        f.observe([0x10, 0x11, 0x20, 0x30], seed: 2)
        XCTAssertEqual(f.depth(of: [0x10, 0x11, 0x20, 0x30]), 3)
        XCTAssertEqual(f.depth(of: [0x10, 0x11, 0x21, 0x31]), 3)
        // A string whose second frame lies outside the library.
        f.observe([0x10, 0x40, 0x50], seed: 1)
        XCTAssertEqual(f.depth(of: [0x10, 0x40, 0x50]), 2)
        XCTAssertEqual(f.depth(of: [0x10, 0x11, 0x20, 0x30]), 3)
    }

    /// Two objects of a coarse class (made before its init site turned out
    /// to be a funnel) with different refined keys do not meet at a node.
    func testCoarseWrapperClassNeedsOneObjectAtANode() {
        var d = wrapperStream(sameCaller: false)
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// Near miss: the objects were made by the same caller: one refined
    /// class, and the class-level prediction stands.
    func testCoarseWrapperClassWithOneCallerStaysClassLevel() {
        var d = wrapperStream(sameCaller: true)
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// A coarse class (objects made before their helper had a second
    /// caller) and the class later objects of the same kind got, nested
    /// across the two with other objects each way: one class once refined,
    /// and no loop of objects.
    func testClassesOfOneRefinedClassNeedALoopOfObjects() {
        var d = splitClassStream(sameObjects: false)
        XCTAssertTrue(d.takePending().reports.isEmpty)
        XCTAssertEqual(d.takeSilenced().map { $0.rule }, [.oneRefinedClass(cls: C.X)])
    }

    /// Near miss: the same early and late objects in both orders.
    func testClassesOfOneRefinedClassOnTheSameObjectsAreReported() {
        var d = splitClassStream(sameObjects: true)
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    private func splitClassStream(sameObjects: Bool) -> Detector {
        var o = Options()
        o.verbosity = 2
        var d = Detector(options: o)
        let coarse = C.X, late = C.A
        d.addClass(ClassInfo(id: coarse, kind: .mutex, keyKind: .initSite, key: 0x10, stack: 0, callString: [0x10]))
        // Made from 0x20 before 0x10 had a second caller: the coarse class.
        _ = d.initCallString(instance: 3001, callString: [0x10, 0x20, 0x90])
        _ = d.initCallString(instance: 3002, callString: [0x10, 0x20, 0x90])
        _ = d.initCallString(instance: 3003, callString: [0x10, 0x22, 0x92])   // the second caller
        // Later objects from 0x20: named by it.
        XCTAssertEqual(d.initCallString(instance: 4001, callString: [0x10, 0x20, 0x90]), 2)
        d.addClass(ClassInfo(id: late, kind: .mutex, keyKind: .initSite, key: 0x20, stack: 0, callString: [0x10, 0x20]))
        d.wait(thread: 2, held: [held(coarse, 3001)], wait: lockWait(late, 4001))
        d.wait(thread: 3, held: [held(late, sameObjects ? 4001 : 4002)], wait: lockWait(coarse, sameObjects ? 3001 : 3002))
        return d
    }

    /// The naming prefix stops at a call through a function pointer once
    /// it has passed a funnel: the creators past it (funnels of their own)
    /// do not split one kind of lock.
    func testNamingStopsAtACallThroughAPointer() {
        var f = Funnels()
        // 0x10: the lock helper, called by two types' init (0x20, 0x21);
        // 0x30: the generic create calling them through a pointer; 0x40,
        // 0x41: two creators.
        f.observe([0x10, 0x20, 0x30, 0x40, 0x50])
        f.observe([0x10, 0x21, 0x30, 0x40, 0x50])
        f.observe([0x10, 0x20, 0x30, 0x41, 0x51])
        XCTAssertEqual(f.depth(of: [0x10, 0x20, 0x30, 0x41, 0x51]), 4, "past the pointer: a class per creator")
        XCTAssertEqual(f.depth(of: [0x10, 0x20, 0x30, 0x41, 0x51], cut: 2), 2)
        XCTAssertEqual(f.depth(of: [0x10, 0x20, 0x30, 0x40, 0x50], cut: 2), 2)
    }

    /// A call through a pointer before any funnel (SQLite's mutex methods
    /// table calling the one helper that makes every mutex) names nothing
    /// yet: the whole call string decides.
    func testACallThroughAPointerBeforeAnyFunnelIsNotWhereNamingStops() {
        var f = Funnels()
        f.observe([0x10, 0x20, 0x30, 0x40])
        f.observe([0x10, 0x20, 0x31, 0x41])
        XCTAssertEqual(f.depth(of: [0x10, 0x20, 0x31, 0x41], cut: 1), 3)
        XCTAssertEqual(f.depth(of: [0x10, 0x20, 0x31, 0x41], cut: 1), f.depth(of: [0x10, 0x20, 0x31, 0x41]))
    }

    private func wrapperStream(sameCaller: Bool) -> Detector {
        var d = Detector()
        let w = C.X
        d.addClass(ClassInfo(id: w, kind: .mutex, keyKind: .initSite, key: 0x10, stack: 0, callString: [0x10]))
        // Instances 3001 and 3002 of the coarse class, made from 0x20 and 0x21 (or both from 0x20).
        _ = d.initCallString(instance: 3001, callString: [0x10, 0x20, 0x90])
        _ = d.initCallString(instance: 3002, callString: sameCaller ? [0x10, 0x20, 0x90] : [0x10, 0x21, 0x91])
        _ = d.initCallString(instance: 3003, callString: [0x10, 0x22, 0x92])   // makes 0x10 a funnel either way
        d.wait(thread: 2, held: [held(w, 3001)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(w, 3002))
        return d
    }

    // MARK: objects in static storage sharing an init-site class

    /// static_bucket_locks: bucket 1 then L in one thread, L then bucket 2
    /// in another. One class (the loop's init site), two objects: no cycle.
    func testStaticObjectsOfOneClassStayApart() {
        var d = staticBucketStream(secondBucket: 2)
        XCTAssertTrue(d.takePending().reports.isEmpty, "bucket 1 and bucket 2 are different locks")
        XCTAssertEqual(d.takeSilenced().map { $0.rule }, [.staticInstances(cls: C.X)])
    }

    /// Near miss (static_bucket_inversion): the second thread takes bucket
    /// 1 too, after many other buckets took the first thread's place in the
    /// edge's observations: the object taken in both orders is still kept,
    /// and the cycle is reported.
    func testStaticObjectTakenInBothOrdersIsReported() {
        var d = staticBucketStream(secondBucket: 1)
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// One static object destroyed and initialised again between the two
    /// observations is still that lock: the cycle stands, as it did when
    /// each static object was a class of its own.
    func testStaticObjectInitialisedAgainIsTheSameLock() {
        var d = Detector()
        d.addClass(ClassInfo(id: C.X, kind: .mutex, keyKind: .initSite, key: 0x10, stack: 0, object: 0x5000))
        var h = held(C.X, 7001); h.addr = 0x5000
        d.wait(thread: 2, held: [h], wait: lockWait(C.B))
        var w = lockWait(C.X, 7002); w.addr = 0x5000      // a new life of the same global
        d.wait(thread: 3, held: [held(C.B)], wait: w)
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    private func staticBucketStream(secondBucket: UInt32) -> Detector {
        var o = Options()
        o.verbosity = 2
        var d = Detector(options: o)
        d.addClass(ClassInfo(id: C.X, kind: .mutex, keyKind: .initSite, key: 0x10, stack: 0, object: 0x5000))
        func bucket(_ i: UInt32) -> UInt32 { 7000 + i }
        // Thread 2 takes L under buckets 10...40 first, then under bucket 1.
        for i in UInt32(10)...40 {
            var h = held(C.X, bucket(i)); h.addr = 0x5000 + UInt(i) * 40
            d.wait(thread: 2, held: [h], wait: lockWait(C.B))
        }
        var h1 = held(C.X, bucket(1)); h1.addr = 0x5000 + 40
        d.wait(thread: 2, held: [h1], wait: lockWait(C.B))
        var w = lockWait(C.X, bucket(secondBucket)); w.addr = 0x5000 + UInt(secondBucket) * 40
        d.wait(thread: 3, held: [held(C.B)], wait: w)
        return d
    }

    // MARK: instance order (CycleJudge.instanceOrderRule)

    // Pads of one class (N: one init site, many objects) and a collect lock
    // (A): GStreamer's collect pads. Inputs in0 and in1, output out.
    let in0 = inst(C.N, 0), in1 = inst(C.N, 1), out = inst(C.N, 2)

    /// Input 1 arrives first (in1 -> collect); input 0 completes the set and
    /// pushes (in0 -> out, collect -> out): the class cycle N -> A -> N
    /// closes through in1 and out before in1 was seen above out.
    func collectPads(_ d: inout Detector) {
        d.wait(thread: 2, held: [held(C.N, in1)], wait: lockWait(C.A))
        d.wait(thread: 3, held: [held(C.N, in0)], wait: lockWait(C.A))
        d.wait(thread: 3, held: [held(C.N, in0), held(C.A)], wait: lockWait(C.N, out))
    }

    /// Input 1 later pushes too (in1 above out): the held-back cycle is
    /// turned down when the process ends (class_order_pipeline).
    func testOrderLearntAfterTheCycleSilencesItAtExit() {
        var d = Detector(options: Options.parse("verbosity=2").0)
        collectPads(&d)
        XCTAssertEqual(d.takePending().reports.count, 0, "held back: the pads nest, the order may still come")
        d.wait(thread: 4, held: [held(C.N, in1), held(C.A)], wait: lockWait(C.N, out))
        XCTAssertEqual(d.takePending().reports.count, 0)
        d.releaseHeldBack()
        XCTAssertEqual(d.takePending().reports.count, 0, "in1 and in0 are both above out")
        XCTAssertEqual(d.takeSilenced().map(\.rule), [.instanceOrder(cls: C.N)])
    }

    /// Near miss: in1 is never seen above out (an input nobody pushes
    /// from): the cycle is printed when the process ends.
    func testOrderNeverLearntIsReportedAtExit() {
        var d = Detector()
        collectPads(&d)
        XCTAssertEqual(d.takePending().reports.count, 0)
        d.releaseHeldBack()
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Near miss: out is also seen above in1 (under the collect lock, so
    /// no same-class loop of its own): no hierarchy, reported.
    func testObjectsNestedBothWaysAreReported() {
        var d = Detector()
        collectPads(&d)
        d.wait(thread: 4, held: [held(C.N, in1), held(C.A)], wait: lockWait(C.N, out))
        d.wait(thread: 5, held: [held(C.A), held(C.N, out)], wait: lockWait(C.N, in1))
        d.releaseHeldBack()
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Near miss (lockdep's class rule): objects of a class the program
    /// never nests are interchangeable; reported at once, not held back.
    func testClassNeverNestedIsReportedAtOnce() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.N, in1)], wait: lockWait(C.A))
        d.wait(thread: 3, held: [held(C.A)], wait: lockWait(C.N, out))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// A cycle that closes on the same object (the output held while the
    /// collect lock is taken: a flush from downstream) is a deadlock
    /// whatever the order (class_order_downstream_holder).
    func testSameObjectAtTheLinkIsReported() {
        var d = Detector()
        collectPads(&d)
        d.wait(thread: 4, held: [held(C.N, in1), held(C.A)], wait: lockWait(C.N, out))
        d.wait(thread: 5, held: [held(C.N, out)], wait: lockWait(C.A))
        XCTAssertEqual(d.takePending().reports.count, 1, "out -> collect -> out")
    }
}
