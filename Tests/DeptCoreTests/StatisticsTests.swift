import XCTest
@testable import DeptCore

/// The `stats=1` lines: what the detector learnt, what reached it, what it
/// reported, and what it gave up on.
final class StatisticsTests: XCTestCase {
    typealias C = Cls

    /// Every count has its place in the four lines, singular or plural.
    func testTextNamesEveryCount() {
        var s = Statistics()
        s.classes = 1; s.threads = 2; s.stacks = 3; s.dependencies = 4; s.observations = 5; s.instancePairs = 6
        s.waits = 7; s.events = 1; s.lockWrappers = 1; s.crowdedLockWrappers = 1
        s.potential = 1; s.sameWaits = 3; s.live = 2; s.turnedDown = 10; s.suppressed = 11
        s.searchesOutOfBudget = 1; s.observationsOverCap = 13; s.instancePairsOverCap = 14; s.semaphoreWaitsDropped = 15
        s.shortStackSkips = 1
        let cap = DependencyGraph.maxWitnessesPerEdge
        XCTAssertEqual(s.text(pid: 42), """
            DEPT: stats: pid 42: learnt 1 class, 2 threads, 3 stacks, 4 dependencies (5 observations), 6 instance pairs
            DEPT: stats: pid 42: the slow path told the core of 7 waits and 1 event; found 1 lock wrapper (1 named by the call site again)
            DEPT: stats: pid 42: reported 1 potential deadlock (3 more cycles at the same waits) and 2 live deadlocks or hangs; 10 cycles turned down by a precision rule, 11 suppressed
            DEPT: stats: pid 42: gave up on 1 cycle search (out of budget), 13 observations (over an edge's cap of \(cap)), 14 instance pairs (over a class's cap), 15 waits under a semaphore (over a thread's buffer), 1 wait or event on a small stack

            """)
    }

    /// An AB-BA: two classes, two dependencies with one observation each,
    /// two waits; nothing given up on.
    func testAnABBAIsCounted() {
        var d = Detector()
        d.addClass(ClassInfo(id: C.A, kind: .mutex, keyKind: .initSite, key: 0x10, stack: 0))
        d.addClass(ClassInfo(id: C.B, kind: .mutex, keyKind: .initSite, key: 0x20, stack: 0))
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        d.threadStarted(ThreadInfo(tid: 3, slot: 2))
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A))
        XCTAssertEqual(d.takePending().reports.count, 1)
        var want = Statistics()
        want.classes = 2; want.threads = 2; want.dependencies = 2; want.observations = 2; want.waits = 2
        XCTAssertEqual(d.statistics, want)
    }

    /// Observations over an edge's cap are counted where the stats say so
    /// (DetectorCycleTests checks the cap itself); a repeat is no drop.
    func testObservationsOverTheCapAreGivenUpOn() {
        var d = Detector()
        let cap = DependencyGraph.maxWitnessesPerEdge
        for t in 1...(cap + 3) { d.wait(thread: UInt32(t), held: [held(C.A)], wait: lockWait(C.B)) }
        d.wait(thread: 1, held: [held(C.A)], wait: lockWait(C.B))
        let s = d.statistics
        XCTAssertEqual(s.observations, cap)
        XCTAssertEqual(s.observationsOverCap, 3)
        XCTAssertEqual(s.waits, cap + 4)
    }

    /// Events and turned-down cycles are counted: a post's dependency on a
    /// wait made by the same thread before it (EventRules rule 1 keeps the
    /// thread's own history out), and a cycle a rule silences.
    func testEventsAndTurnedDownCyclesAreCounted() {
        var d = Detector(options: Options.parse("verbosity=2").0)
        d.threadStarted(ThreadInfo(tid: 2, slot: 1))
        let body = threadBody(C.T, 2)
        d.wait(thread: 2, held: [body], wait: lockWait(C.A))
        d.threadExited(2, holding: [], lastWait: Epoch(slot: 1, time: 5))
        d.wait(thread: 1, held: [held(C.A)], wait: joinWait(C.T, 2), request: VectorClock([3, 5]))
        XCTAssertTrue(d.takePending().reports.isEmpty)
        XCTAssertEqual(d.statistics.turnedDown, 1, "the join after the worker's last wait: happens-before")
        d.event(thread: 1, event: PointRef(cls: C.B, inst: inst(C.B), op: .semPost, stack: 0), held: [held(C.A)],
                history: [], window: nil, release: false)
        XCTAssertEqual(d.statistics.events, 1)
    }

    /// A cycle search that runs out of budget is counted: thirty classes
    /// each nested in every later one (2^28 paths), a path back from the
    /// last to the first, and a judge that turns every closed path down, so
    /// the search never stops at a cycle.
    func testASearchOutOfBudgetIsGivenUpOn() {
        var g = DependencyGraph()
        var i: UInt32 = 0, thread: UInt32 = 10
        func nest(_ from: UInt32, _ to: UInt32, judge: @escaping CycleVerdict = { ws, _ in CycleJudge.eventRules(ws) }) {
            i += 2; thread += 1
            _ = g.addWait(thread: thread, held: [HeldContext(cls: from, inst: i)],
                          wait: WaitPoint(cls: to, inst: i + 1, awaits: [.exclusive]), judge: judge)
        }
        for a: UInt32 in 0..<30 { for b in (a + 1)..<30 { nest(100 + a, 100 + b) } }
        XCTAssertEqual(g.statistics.searchesOutOfBudget, 0)
        nest(129, 100, judge: { _, _ in .tokenRing })
        XCTAssertEqual(g.statistics.searchesOutOfBudget, 1)
    }
}
