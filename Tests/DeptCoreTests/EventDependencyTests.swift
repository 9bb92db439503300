import XCTest
@testable import DeptCore

/// Dependencies recorded at events (sem_post, cond_signal, eventfd write by
/// a thread that did not take the object) and after-the-fact dependencies
/// of binary semaphores: Detector.event / Detector.dependency. Which waits
/// an event depends on is chosen by the shim (DESIGN §2); the core records
/// what it is given, with the rules pinned here.
final class EventDependencyTests: XCTestCase {
    typealias C = Cls
    static let S: UInt32 = 50   // a semaphore class
    static let CV: UInt32 = 51  // a condvar class

    static func semWait(_ cls: UInt32 = S, stack: UInt32 = 0, flags: UInt32 = 0) -> WaitPoint {
        WaitPoint(cls: cls, inst: inst(cls), stack: stack, awaits: [.exclusive], op: .semWait, flags: flags)
    }

    static func post(_ cls: UInt32 = S, stack: UInt32 = 0, op: DeptCore.Operation = .semPost) -> PointRef {
        PointRef(cls: cls, inst: inst(cls), op: op, stack: stack)
    }

    /// A completed wait is its own [S].
    static func dep(_ w: WaitPoint) -> EventDependency {
        EventDependency(start: PointRef(cls: w.cls, inst: w.inst, op: w.op, stack: w.stack), wait: w)
    }

    /// Rule: an event depends on the waits its thread went through to reach
    /// it: T1 holds M and sem_waits S; T2 must lock M before it posts S.
    func testPostAfterWaitingForTheLockTheWaiterHoldsIsACycle() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.M)], wait: Self.semWait())
        d.event(thread: 3, event: Self.post(), deps: [Self.dep(lockWait(C.M))], gates: [])
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        XCTAssertEqual(Set(reports.first?.links.map(\.from.cls) ?? []), [C.M, Self.S])
        XCTAssertNotNil(d.graph.edge(from: EventNode(cls: Self.S), to: EventNode(cls: C.M)))
    }

    /// Rule: an event without dependencies adds nothing.
    func testEventWithoutDependenciesAddsNothing() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.M)], wait: Self.semWait())
        d.event(thread: 3, event: Self.post(), deps: [], gates: [])
        XCTAssertTrue(d.takePending().reports.isEmpty)
        XCTAssertNil(d.graph.edge(from: EventNode(cls: Self.S), to: EventNode(cls: C.M)))
    }

    /// Rule: same-class dependencies are skipped (a signal of C after a wait
    /// on C is what every condvar ping-pong does).
    func testSameClassEventDependencyIsSkipped() {
        var d = Detector()
        let w = WaitPoint(cls: Self.CV, inst: inst(Self.CV), awaits: [.exclusive], op: .condWait)
        d.event(thread: 2, event: Self.post(Self.CV, op: .condSignal), deps: [Self.dep(w)], gates: [])
        XCTAssertEqual(d.graph.edgeCount, 0)
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// Rule: timed waits are no dependency of an event either.
    func testTimedDependencyOfAnEventIsSkipped() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.M)], wait: Self.semWait())
        let timed = lockWait(C.M, op: .timedlock, flags: WaitPoint.timedFlag)
        d.event(thread: 3, event: Self.post(), deps: [Self.dep(timed)], gates: [])
        XCTAssertNil(d.graph.edge(from: EventNode(cls: Self.S), to: EventNode(cls: C.M)))
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// Rule: the gate rule holds for events: the post made under gate G and
    /// the wait made under the same G cannot coexist.
    func testEventUnderCommonGateIsSilent() {
        var d = Detector()
        let g = inst(C.G, 1)
        d.wait(thread: 2, held: [held(C.G, g), held(C.M)], wait: Self.semWait())
        d.event(thread: 3, event: Self.post(), deps: [Self.dep(lockWait(C.M))], gates: [g])
        XCTAssertTrue(d.takePending().reports.isEmpty)
        // Under another gate instance: reported.
        d.event(thread: 4, event: Self.post(), deps: [Self.dep(lockWait(C.M))], gates: [inst(C.G, 2)])
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Rule: a dependency confirmed after the fact (a wait made while holding
    /// a binary semaphore, counted once the same thread posts it) is an edge
    /// like one recorded at the wait.
    func testAfterTheFactSemaphoreDependencyClosesCycle() {
        var d = Detector()
        let semHeld = HeldContext(cls: Self.S, inst: inst(Self.S), op: .semWait, flags: HeldContext.semFlag)
        d.dependency(thread: 2, from: semHeld, wait: lockWait(C.M), gates: [])
        XCTAssertTrue(d.pendingReports.isEmpty)
        d.wait(thread: 3, held: [held(C.M)], wait: Self.semWait())
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Rule: a semaphore "held" (taken, not yet posted) at thread exit is
    /// not a lock: semaphores are released by other threads all the time.
    func testExitHoldingOnlyASemaphoreIsNoWarning() {
        var d = Detector()
        let semHeld = HeldContext(cls: Self.S, inst: inst(Self.S), op: .semWait, flags: HeldContext.semFlag)
        d.threadExited(2, holding: [semHeld])
        XCTAssertTrue(d.takePending().warnings.isEmpty)
        d.threadExited(3, holding: [semHeld, held(C.M)])
        XCTAssertEqual(d.takePending().warnings.first?.held.map(\.cls), [C.M])
    }

    /// Rule: the context of a link recorded at an event shows the [S] the
    /// thread started from and the event itself ([E] = the post, with its
    /// own stack), not the lock-style acquisition/release.
    func testReportOfEventLinkShowsStartAndEventPoints() {
        var d = Detector()
        var sym = FakeSymbolizer()
        let sWaitS = d.internStack([0x5000]), sLockM = d.internStack([0x5100])
        let sWaitM = d.internStack([0x5200]), sPost = d.internStack([0x5300])
        sym.code[0x5300] = Frame(pc: 0x5300, module: "app", offset: 0x5300, function: "producer", file: "/p.c", line: 9)
        d.addClass(ClassInfo(id: C.M, kind: .mutex, keyKind: .staticObject, key: 0x9000, stack: 0))
        d.addClass(ClassInfo(id: Self.S, kind: .semaphore, keyKind: .staticObject, key: 0x9100, stack: 0))
        sym.data = [0x9000: "m", 0x9100: "s"]
        d.wait(thread: 2, held: [held(C.M, stack: sLockM)], wait: Self.semWait(stack: sWaitS))
        d.event(thread: 3, event: Self.post(stack: sPost), deps: [Self.dep(lockWait(C.M, stack: sWaitM))], gates: [])
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        guard let e = reports.first else { return }
        let r = ReportBuilder(detector: d, pid: 1).build(e, symbolizer: &sym)
        XCTAssertEqual(r.contexts.count, 2)
        guard r.contexts.count == 2 else { return }
        let poster = r.contexts[0], waiter = r.contexts[1]
        XCTAssertEqual(poster.thread.tid, 3)
        XCTAssertEqual(poster.start.text, "pthread_mutex_lock(m)")
        XCTAssertEqual(poster.start.stack.map(\.pc), [0x5200])
        XCTAssertEqual(poster.wait.text, "pthread_mutex_lock(m)")
        XCTAssertEqual(poster.event.text, "sem_post(s)")
        XCTAssertEqual(poster.event.stack.first?.function, "producer")
        XCTAssertEqual(waiter.thread.tid, 2)
        XCTAssertEqual(waiter.start.text, "pthread_mutex_lock(m)")
        XCTAssertEqual(waiter.start.stack.map(\.pc), [0x5100])
        XCTAssertEqual(waiter.wait.text, "sem_wait(s)")
        XCTAssertEqual(waiter.event.text, "pthread_mutex_unlock(m)")
    }
}
