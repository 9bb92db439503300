import XCTest
@testable import DeptCore

/// The live detector (DESIGN §3 "Actual hang"): verdicts from a snapshot of
/// blocked threads, and the reports built from them.
final class HangAnalysisTests: XCTestCase {
    typealias C = Cls
    static let hangMs = 1000, stallMs = 10000

    static func blockedLock(_ cls: UInt32, _ instance: UInt32? = nil, ms: Int = 1500, timed: Bool = false,
                            stack: UInt32 = 0) -> BlockedWait {
        BlockedWait(cls: cls, inst: instance ?? inst(cls), stack: stack, op: timed ? .timedlock : .lock,
                    awaits: [.exclusive, .shared], timed: timed, ms: ms)
    }

    static func blockedRead(_ cls: UInt32, ms: Int = 1500) -> BlockedWait {
        BlockedWait(cls: cls, inst: inst(cls), op: .rdlock, awaits: [.exclusive], ms: ms)
    }

    static func blockedOn(_ cls: UInt32, op: DeptCore.Operation, ms: Int = 1500) -> BlockedWait {
        BlockedWait(cls: cls, inst: inst(cls), op: op, awaits: [.exclusive], ms: ms)
    }

    static func analyze(_ s: LiveState, dependsOn: @escaping (UInt32, UInt32) -> Bool = { _, _ in false }) -> LiveVerdict {
        HangAnalysis.analyze(s, hangMs: hangMs, stallMs: stallMs, dependsOn: dependsOn)
    }

    static func abba(ms: Int = 1500) -> LiveState {
        LiveState(threads: [
            LiveThread(tid: 1, osTid: 101, blocked: blockedLock(C.B, ms: ms), held: [held(C.A)]),
            LiveThread(tid: 2, osTid: 102, blocked: blockedLock(C.A, ms: ms), held: [held(C.B)]),
        ])
    }

    // MARK: verdicts

    /// Rule: blocked threads whose owners are all blocked inside the set
    /// are a deadlock; the cycle is in wait order.
    func testABBAIsADeadlock() {
        XCTAssertEqual(Self.analyze(Self.abba()), .deadlock(cycle: [1, 2], stuck: [1, 2]))
    }

    /// Rule: a deadlock among some threads is proven whatever the others do.
    func testDeadlockProvenWhileOtherThreadsRun() {
        var s = Self.abba()
        s.threads.append(LiveThread(tid: 3))                       // computing
        s.threads.append(LiveThread(tid: 4, blocked: Self.blockedLock(C.A)))   // queued behind T1
        s.untracked = 2
        XCTAssertEqual(Self.analyze(s), .deadlock(cycle: [1, 2], stuck: [1, 2, 4]))
    }

    /// Rule: nothing is decided before hang_ms.
    func testNoVerdictBeforeHangMs() {
        XCTAssertEqual(Self.analyze(Self.abba(ms: 999)), .running)
    }

    /// Rule: a thread blocked on a lock held by a running thread is not
    /// stuck; after stall_ms it is a stall, never a hang.
    func testOwnerStillRunningIsRunningThenStall() {
        var s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedLock(C.A)),
            LiveThread(tid: 2, held: [held(C.A)]),
        ])
        XCTAssertEqual(Self.analyze(s), .running)
        s.threads[0].blocked?.ms = Self.stallMs
        XCTAssertEqual(Self.analyze(s), .stall)
    }

    /// Rule: a stall needs the rest of the process quiet for stall_ms too:
    /// idle workers of a program whose other threads compute (zpaq's pool
    /// while its compressors run) are no stall. Quiet for stall_ms, or not
    /// known, it is one.
    func testNoStallWhileTheProcessComputes() {
        var s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedOn(C.C, op: .condWait, ms: Self.stallMs * 3)),
            LiveThread(tid: 2),
        ])
        s.quietMs = Self.stallMs - 1
        XCTAssertEqual(Self.analyze(s), .running)
        s.quietMs = 0
        XCTAssertEqual(Self.analyze(s), .running)
        s.quietMs = Self.stallMs
        XCTAssertEqual(Self.analyze(s), .stall)
        s.quietMs = nil
        XCTAssertEqual(Self.analyze(s), .stall)
        // A deadlock and a hang are proven whatever the CPU says.
        var d = Self.abba()
        d.quietMs = 0
        XCTAssertEqual(Self.analyze(d), .deadlock(cycle: [1, 2], stuck: [1, 2]))
        var h = LiveState(threads: [LiveThread(tid: 1, blocked: Self.blockedOn(C.C, op: .condWait))])
        h.quietMs = 0
        XCTAssertEqual(Self.analyze(h), .hang)
    }

    /// Rule: a quiet process in which a thread waits for input on a
    /// descriptor is a server waiting for its next client: no stall. A
    /// deadlock is proven whatever the others wait for.
    func testNoStallWhileAThreadWaitsForInput() {
        var s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedOn(C.C, op: .condWait, ms: Self.stallMs * 3)),
            LiveThread(tid: 2),
        ])
        s.quietMs = Self.stallMs * 3
        XCTAssertEqual(Self.analyze(s), .stall)
        s.waitsForInput = true
        XCTAssertEqual(Self.analyze(s), .running)
        var d = Self.abba()
        d.threads.append(LiveThread(tid: 3))
        d.waitsForInput = true
        XCTAssertEqual(Self.analyze(d), .deadlock(cycle: [1, 2], stuck: [1, 2]))
    }

    /// Quiet is a rate: a process that uses at most 1% of a CPU (timers,
    /// ticks) stays quiet; one that computes is busy from that look on; a
    /// reading a little below the last (the two clocks are read apart) is
    /// no progress.
    func testProcessQuietIsARate() {
        var q = ProcessQuiet()
        let ms: UInt64 = 1_000_000
        XCTAssertEqual(q.sample(cpuNs: 5_000 * ms, nowNs: 100_000 * ms), 0)
        // 2 ms of CPU in 250 ms (0.8%), and so on for 10 s: quiet.
        var cpu: UInt64 = 5_000 * ms
        for i in 1...40 {
            cpu += 2 * ms
            XCTAssertEqual(q.sample(cpuNs: cpu, nowNs: (100_000 + 250 * UInt64(i)) * ms), 250 * i)
        }
        // One computing thread's 250 ms: busy now.
        cpu += 250 * ms
        XCTAssertEqual(q.sample(cpuNs: cpu, nowNs: 110_250 * ms), 0)
        XCTAssertEqual(q.sample(cpuNs: cpu, nowNs: 111_000 * ms), 750)
        // The burst is measured against the whole quiet time: 60 ms after
        // 5 s of quiet is 1.2% of it.
        XCTAssertEqual(q.sample(cpuNs: cpu + 40 * ms, nowNs: 116_000 * ms), 5_750)
        XCTAssertEqual(q.sample(cpuNs: cpu + 60 * ms, nowNs: 116_250 * ms), 6_000)
        XCTAssertEqual(q.sample(cpuNs: cpu + 130 * ms, nowNs: 116_500 * ms), 0)
        let mark = cpu + 130 * ms
        XCTAssertEqual(q.sample(cpuNs: mark - 3_000, nowNs: 117_000 * ms), 500)
        XCTAssertEqual(q.sample(cpuNs: mark + 1_000, nowNs: 118_000 * ms), 1_500)
    }

    /// Rule: a join on a thread that still runs is never a stall, however
    /// long (threads live as long as their work); a join on a thread that
    /// is blocked itself is one.
    func testJoinOnRunningThreadIsNoStall() {
        let body = UInt32(4002)
        let join = BlockedWait(cls: C.T, inst: body, op: .join, awaits: [.exclusive], ms: Self.stallMs * 3)
        var s = LiveState(threads: [
            LiveThread(tid: 1, blocked: join),
            LiveThread(tid: 2, held: [threadBody(C.T, body)]),
        ])
        XCTAssertEqual(Self.analyze(s), .running)
        // Blocked a moment between two pieces of work: still running.
        s.threads[1].blocked = Self.blockedLock(C.A, ms: Self.hangMs - 1)
        XCTAssertEqual(Self.analyze(s), .running)
        // Blocked past hang_ms (on a lock a third, running thread holds):
        // both threads are part of the stall.
        s.threads[1].blocked = Self.blockedLock(C.A, ms: Self.stallMs)
        s.threads.append(LiveThread(tid: 3, held: [held(C.A)]))
        XCTAssertEqual(Self.analyze(s), .stall)
        XCTAssertEqual(HangAnalysis.stalled(s, hangMs: Self.hangMs, stallMs: Self.stallMs).map { $0.tid }, [1, 2])
    }

    /// Rule: a stall lists every thread blocked past hang_ms without a
    /// verdict once one of them passed stall_ms, not only that one: waits
    /// that began a little apart belong to one stall.
    func testStallListsEveryThreadPastHangMs() {
        let s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedLock(C.A, ms: Self.stallMs)),
            LiveThread(tid: 2, blocked: Self.blockedLock(C.A, ms: Self.stallMs - 200)),
            LiveThread(tid: 3, blocked: Self.blockedLock(C.A, ms: Self.hangMs - 1)),
            LiveThread(tid: 4, held: [held(C.A)]),
        ])
        XCTAssertEqual(HangAnalysis.stalled(s, hangMs: Self.hangMs, stallMs: Self.stallMs).map { $0.tid }, [1, 2])
        var early = s
        early.threads[0].blocked?.ms = Self.stallMs - 1
        XCTAssertTrue(HangAnalysis.stalled(early, hangMs: Self.hangMs, stallMs: Self.stallMs).isEmpty)
    }

    /// Rule: a timed wait can't hang forever: its thread is never stuck, and
    /// it may still release what it holds.
    func testTimedWaitIsNeverPartOfADeadlock() {
        var s = Self.abba()
        s.threads[1].blocked = Self.blockedLock(C.A, ms: 50_000, timed: true)
        XCTAssertEqual(Self.analyze(s), .running)
        // Not even a hang when it is the only other thread; a stall once the
        // untimed waiter has waited stall_ms.
        s.threads[0].blocked?.ms = Self.stallMs
        XCTAssertEqual(Self.analyze(s), .stall)
    }

    /// Rule: a reader waits for writers only: a read hold does not make its
    /// thread the owner of a blocked reader's wait.
    func testReadHoldDoesNotBlockAReader() {
        let s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedLock(C.M), held: [readHeld(C.R)]),
            LiveThread(tid: 2, blocked: Self.blockedRead(C.R), held: [held(C.M)]),
            LiveThread(tid: 3),
        ])
        XCTAssertEqual(Self.analyze(s), .running)
        // A write hold does.
        var w = s
        w.threads[0].held = [held(C.R, op: .wrlock)]
        XCTAssertEqual(Self.analyze(w), .deadlock(cycle: [1, 2], stuck: [1, 2]))
    }

    /// Rule: join waits for the joined thread's body: T1 holds A and joins
    /// T2, T2 waits for A.
    func testJoinDeadlock() {
        let body = UInt32(4002)
        let s = LiveState(threads: [
            LiveThread(tid: 1, blocked: BlockedWait(cls: C.T, inst: body, op: .join, awaits: [.exclusive], ms: 2000),
                       held: [held(C.A)]),
            LiveThread(tid: 2, blocked: Self.blockedLock(C.A), held: [threadBody(C.T, body)]),
            LiveThread(tid: 3),
        ])
        XCTAssertEqual(Self.analyze(s), .deadlock(cycle: [1, 2], stuck: [1, 2]))
        // A thread body is no "owner" of anything but a join.
        var notJoin = s
        notJoin.threads[0].blocked = BlockedWait(cls: C.T, inst: body, op: .semWait, awaits: [.exclusive], ms: 2000)
        XCTAssertEqual(Self.analyze(notJoin), .running)
    }

    /// Rule: the callers of pthread_once / call_once wait for the thread
    /// that runs the initializer (it is inside the once's context): T1 runs
    /// it and waits for L, T2 holds L and calls pthread_once; T3 runs.
    func testOnceCallerWaitsForTheInitializer() {
        let once = Cls.D, onceInst = inst(Cls.D)
        let initializer = HeldContext(cls: once, inst: onceInst, op: .onceInit, flags: HeldContext.threadFlag)
        let s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedLock(C.A), held: [initializer]),
            LiveThread(tid: 2, blocked: BlockedWait(cls: once, inst: onceInst, op: .once, awaits: [.exclusive], ms: 2000),
                       held: [held(C.A)]),
            LiveThread(tid: 3),
        ])
        XCTAssertEqual(Self.analyze(s), .deadlock(cycle: [1, 2], stuck: [1, 2]))
    }

    /// Rule: the taker of a binary semaphore (taken, not posted) is the
    /// owner of a wait on it.
    func testSemaphoreTakerIsOwner() {
        let sem = Cls.D
        var s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedOn(sem, op: .semWait), held: [held(C.A)]),
            LiveThread(tid: 2, blocked: Self.blockedLock(C.A)),
            LiveThread(tid: 3),
        ])
        XCTAssertEqual(Self.analyze(s), .running)
        s.holders[inst(sem)] = 2
        XCTAssertEqual(Self.analyze(s), .deadlock(cycle: [1, 2], stuck: [1, 2]))
    }

    /// Rule: a binary semaphore no taker has released yet is not known to
    /// be a lock: its holder is no owner (a gate main closes and another
    /// thread opens: sem_gate_opened_by_other). Once a taker released it,
    /// the hold owns it (hang_sem_lock_join).
    func testUnprovenSemaphoreHoldIsNoOwnership() {
        let sem = Cls.D
        let semHold = HeldContext(cls: sem, inst: inst(sem), shared: false, op: .semWait, flags: HeldContext.semFlag)
        var s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedOn(C.T, op: .join), held: [semHold]),
            LiveThread(tid: 2, blocked: Self.blockedOn(sem, op: .semWait)),
            LiveThread(tid: 3),
        ])
        s.threads[1].held = [threadBody(C.T, inst(C.T))]   // thread 2 is the thread joined
        XCTAssertEqual(Self.analyze(s), .deadlock(cycle: [1, 2], stuck: [1, 2]), "a lock's holder joins its waiter")
        s.unprovenHolds = [inst(sem)]
        XCTAssertEqual(Self.analyze(s), .running, "thread 3 may still post the semaphore")
    }

    /// Rule: a thread blocked on an instance it holds itself is a deadlock
    /// of one thread.
    func testSelfDeadlock() {
        let s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedLock(C.A), held: [held(C.A)]),
            LiveThread(tid: 2),
        ])
        XCTAssertEqual(Self.analyze(s), .deadlock(cycle: [1], stuck: [1]))
    }

    /// Rule: every thread blocked in untimed waits nobody owns, nothing
    /// untracked: a hang. An untracked thread (I/O, poll, sleep) could
    /// still wake them: no hang, a stall at most.
    func testHangOnlyWhenEveryThreadIsBlocked() {
        var s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedOn(C.C, op: .condWait)),
            LiveThread(tid: 2, blocked: Self.blockedOn(C.D, op: .semWait, ms: 1200)),
        ])
        XCTAssertEqual(Self.analyze(s), .hang)
        s.untracked = 1
        XCTAssertEqual(Self.analyze(s), .running)
        s.threads[0].blocked?.ms = Self.stallMs
        XCTAssertEqual(Self.analyze(s), .stall)
        s.untracked = 0
        s.threads.append(LiveThread(tid: 3))
        XCTAssertEqual(Self.analyze(s), .stall)
        XCTAssertEqual(Self.analyze(LiveState(threads: [])), .running)
    }

    /// Rule: when everything hangs, the threads that triggered an object's
    /// event before (or that are blocked on a class the event has always
    /// come after) explain the hang as a deadlock.
    func testHangExplainedByTriggerersOrGraph() {
        var s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedOn(C.C, op: .condWait)),
            LiveThread(tid: 2, blocked: Self.blockedOn(C.D, op: .condWait)),
        ])
        s.triggerers[inst(C.C)] = [2]
        s.triggerers[inst(C.D)] = [1]
        XCTAssertEqual(Self.analyze(s), .deadlock(cycle: [1, 2], stuck: [1, 2]))

        let g = LiveState(threads: s.threads)
        let edges: Set<[UInt32]> = [[C.C, C.D], [C.D, C.C]]
        XCTAssertEqual(Self.analyze(g, dependsOn: { edges.contains([$0, $1]) }),
                       .deadlock(cycle: [1, 2], stuck: [1, 2]))
        XCTAssertEqual(Self.analyze(g), .hang)
    }

    // MARK: reports

    func fixture() -> (Detector, FakeSymbolizer, [String: UInt32]) {
        var d = Detector()
        var sym = FakeSymbolizer()
        var st: [String: UInt32] = [:]
        for (i, n) in ["lockA", "lockB", "waitA", "waitB", "unlockA", "unlockB", "create2"].enumerated() {
            let pc = UInt(0x7000 + 0x100 * i)
            sym.code[pc] = Frame(pc: pc, module: "/usr/bin/app", offset: pc, function: "fn_\(n)", file: "/src/\(n).c", line: 10 + i)
            st[n] = d.internStack([pc])
        }
        d.addClass(ClassInfo(id: C.A, kind: .mutex, keyKind: .staticObject, key: 0x9000, stack: 0))
        d.addClass(ClassInfo(id: C.B, kind: .mutex, keyKind: .staticObject, key: 0x9100, stack: 0))
        sym.data = [0x9000: "lock_a", 0x9100: "lock_b"]
        d.eventSite(cls: C.A, op: .unlock, stack: st["unlockA"]!)
        d.eventSite(cls: C.B, op: .unlock, stack: st["unlockB"]!)
        d.threadStarted(ThreadInfo(tid: 1, osTid: 101))
        d.threadStarted(ThreadInfo(tid: 2, osTid: 102, parent: 1, createStack: st["create2"]!, name: "worker"))
        return (d, sym, st)
    }

    /// Rule: a live deadlock report has the §5 headline, one [S]/[W]/[E]
    /// context per thread of the cycle (each waits for what the next holds),
    /// and lists every blocked thread with what it waits for.
    func testLiveDeadlockReport() {
        var (d, sym, st) = fixture()
        let s = LiveState(threads: [
            LiveThread(tid: 1, osTid: 101, blocked: Self.blockedLock(C.B, stack: st["waitB"]!),
                       held: [held(C.A, stack: st["lockA"]!)]),
            LiveThread(tid: 2, osTid: 102, blocked: Self.blockedLock(C.A, stack: st["waitA"]!),
                       held: [held(C.B, stack: st["lockB"]!)]),
        ])
        _ = d.takePending()
        let verdict = Self.analyze(s)
        let b = ReportBuilder(detector: d, pid: 77)
        guard let r = b.buildLive(verdict, state: s, hangMs: Self.hangMs, symbolizer: &sym) else {
            return XCTFail("no report for \(verdict)")
        }
        XCTAssertEqual(r.kind, .deadlock)
        XCTAssertEqual(r.headline, "DEPT: deadlock: 2 threads wait for each other (pid 77)")
        XCTAssertEqual(r.contexts.count, 2)
        guard r.contexts.count == 2 else { return }
        for i in r.contexts.indices {
            let next = r.contexts[(i + 1) % r.contexts.count]
            XCTAssertEqual(r.contexts[i].wait.object, next.start.object)
            XCTAssertEqual(r.contexts[i].start.object, r.contexts[i].event.object)
        }
        let t1 = r.contexts.first { $0.thread.tid == 1 }
        XCTAssertEqual(t1?.start.text, "pthread_mutex_lock(lock_a)")
        XCTAssertEqual(t1?.start.stack.first?.function, "fn_lockA")
        XCTAssertEqual(t1?.wait.text, "pthread_mutex_lock(lock_b)")
        XCTAssertEqual(t1?.wait.stack.first?.function, "fn_waitB")
        XCTAssertEqual(t1?.event.text, "pthread_mutex_unlock(lock_a)")
        XCTAssertEqual(t1?.event.stack.first?.function, "fn_unlockA")
        XCTAssertEqual(r.blocked.count, 2)
        XCTAssertEqual(r.blocked.first { $0.thread.tid == 1 }?.detail, "held by T2 \"worker\" tid 102")
        XCTAssertEqual(r.blocked.first { $0.thread.tid == 2 }?.detail, "held by T1 (main thread) tid 101")
        XCTAssertNotNil(r.summaryFrame)
        let text = TextReport.render(r)
        XCTAssertTrue(text.contains("\nDEPT: deadlock: 2 threads wait for each other (pid 77)\n"))
        XCTAssertTrue(text.hasSuffix("SUMMARY: DEPT: deadlock \(r.summaryFrame!.shortLocation) in \(r.summaryFrame!.function!)\n"))
    }

    /// Rule: a hang report counts every blocked thread and the shortest
    /// blocked time; running/stall verdicts build no report.
    func testLiveHangReportAndNoReportForRunning() {
        var (d, sym, st) = fixture()
        let s = LiveState(threads: [
            LiveThread(tid: 1, blocked: BlockedWait(cls: C.C, inst: inst(C.C), stack: st["waitA"]!, op: .condWait,
                                                    awaits: [.exclusive], ms: 1800)),
            LiveThread(tid: 2, blocked: BlockedWait(cls: C.D, inst: inst(C.D), stack: st["waitB"]!, op: .semWait,
                                                    awaits: [.exclusive], ms: 1200)),
        ])
        _ = d.takePending()
        let b = ReportBuilder(detector: d, pid: 78)
        guard let r = b.buildLive(.hang, state: s, hangMs: Self.hangMs, symbolizer: &sym) else {
            return XCTFail("no hang report")
        }
        XCTAssertEqual(r.headline, "DEPT: hang: no thread made progress for 1200 ms, 2 threads blocked (pid 78)")
        XCTAssertEqual(r.blocked.map(\.thread.tid), [1, 2])
        XCTAssertEqual(r.blocked.map(\.detail), ["no thread known to wake it", "no thread known to wake it"])
        XCTAssertEqual(r.summaryFrame?.function, "fn_waitA")
        XCTAssertEqual(r.key.count, 16)
        XCTAssertNil(b.buildLive(.running, state: s, hangMs: Self.hangMs, symbolizer: &sym))
        XCTAssertNil(b.buildLive(.stall, state: s, hangMs: Self.hangMs, symbolizer: &sym))
    }

    /// An object's last two triggerers make one clause, newest first, not
    /// the same words twice (RocksDB's stall dump read "last triggered by
    /// T57 tid 1170; last triggered by T1 (main thread) tid 1072").
    func testTwoTriggerersMakeOneClause() {
        var (d, sym, st) = fixture()
        var s = LiveState(threads: [
            LiveThread(tid: 1, blocked: BlockedWait(cls: C.C, inst: inst(C.C), stack: st["waitA"]!, op: .condWait,
                                                    awaits: [.exclusive], ms: 1800)),
            LiveThread(tid: 3, blocked: BlockedWait(cls: C.D, inst: inst(C.D), stack: st["waitB"]!, op: .semWait,
                                                    awaits: [.exclusive], ms: 1200)),
            LiveThread(tid: 4, blocked: BlockedWait(cls: C.D, inst: inst(C.D), stack: st["waitB"]!, op: .semWait,
                                                    awaits: [.exclusive], ms: 1200)),
        ])
        s.triggerers[inst(C.C)] = [4, 3]
        _ = d.takePending()
        let b = ReportBuilder(detector: d, pid: 79)
        guard let r = b.buildLive(.hang, state: s, hangMs: Self.hangMs, symbolizer: &sym) else {
            return XCTFail("no hang report")
        }
        XCTAssertEqual(r.blocked.first?.detail, "last triggered by T4, before that by T3")
    }

    /// A dump with no thread in it says nothing: the only thread blocked
    /// past hang_ms joins a running thread.
    func testStallWarningWithoutStalledThreadsIsNil() {
        var (d, sym, _) = fixture()
        let body = UInt32(4002)
        let s = LiveState(threads: [
            LiveThread(tid: 1, blocked: BlockedWait(cls: C.T, inst: body, op: .join, awaits: [.exclusive], ms: Self.stallMs)),
            LiveThread(tid: 2, held: [threadBody(C.T, body)]),
        ])
        _ = d.takePending()
        XCTAssertNil(ReportBuilder(detector: d, pid: 79).stallWarning(state: s, hangMs: Self.hangMs, stallMs: Self.hangMs,
                                                                      symbolizer: &sym))
    }

    /// DESIGN §3/§5: the stall dump is one `DEPT: warning: stall:` message,
    /// lists the blocked threads (not those with a timeout), and never
    /// contains `deadlock` or `hang:`.
    func testStallWarningText() throws {
        var (d, sym, st) = fixture()
        let s = LiveState(threads: [
            LiveThread(tid: 1, blocked: Self.blockedLock(C.A, ms: 12000, stack: st["waitA"]!)),
            LiveThread(tid: 2, blocked: Self.blockedLock(C.B, ms: 12000, timed: true), held: [held(C.A)]),
            LiveThread(tid: 3),
        ])
        _ = d.takePending()
        XCTAssertEqual(Self.analyze(s), .stall)
        let b = ReportBuilder(detector: d, pid: 79)
        let text = try XCTUnwrap(b.stallWarning(state: s, hangMs: Self.hangMs, stallMs: Self.stallMs, symbolizer: &sym))
        XCTAssertTrue(text.hasPrefix("DEPT: warning: stall: 1 thread(s) blocked for up to 12000 ms (more than \(Self.hangMs) ms each) without a verdict (pid 79)"), text)
        // The header names who may still end it: the thread in no wait.
        let header = text.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(header.hasSuffix("(pid 79); still running, and may wake them: T3"), text)
        XCTAssertTrue(text.contains("thread T1 (main thread) tid 101 blocked for 12000 ms in pthread_mutex_lock(lock_a): held by T2"), text)
        XCTAssertFalse(text.contains("T2 \"worker\" tid 102 blocked"), text)
        XCTAssertFalse(text.lowercased().contains("deadlock"), text)
        XCTAssertFalse(text.contains("hang:"), text)
        XCTAssertEqual(text.components(separatedBy: "DEPT:").count - 1, 1, text)
    }
}
