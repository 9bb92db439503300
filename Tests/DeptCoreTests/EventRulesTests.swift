import XCTest
@testable import DeptCore

/// The three rules of `EventRules` (which waits an event depends on), each
/// with a stream that passes only while the rule is in place.
final class EventRulesTests: XCTestCase {
    static let S: UInt32 = 60, E: UInt32 = 61, C: UInt32 = 62, M: UInt32 = 63, L: UInt32 = 64
    static func post(_ cls: UInt32 = S, op: DeptCore.Operation = .semPost) -> PointRef {
        PointRef(cls: cls, inst: cls * 10, op: op, stack: 0)
    }
    static func lock(_ cls: UInt32, flags: UInt32 = 0) -> HeldContext {
        HeldContext(cls: cls, inst: cls * 10, op: .lock, flags: flags)
    }
    static func waited(_ cls: UInt32, at ts: UInt64, op: DeptCore.Operation = .eventfdRead) -> HistoryWait {
        HistoryWait(cls: cls, inst: cls * 10, op: op, timestamp: ts)
    }

    // Rule 1: the waits behind held contexts. Without it the producer that
    // writes an eventfd under the consumer's mutex before anyone reads
    // (eventfd_under_mutex) is invisible.
    func testEventDependsOnHeldLocks() {
        let deps = EventRules.dependencies(of: Self.post(Self.E, op: .eventfdWrite), held: [Self.lock(Self.M)],
                                           history: [], window: nil, release: false)
        XCTAssertEqual(deps.map(\.wait.cls), [Self.M])
        XCTAssertEqual(deps.first?.wait.awaits, [.exclusive, .shared])
        // The full stream: consumer holds M and reads E; producer wrote E under M first.
        var d = Detector()
        d.event(thread: 2, event: Self.post(Self.E, op: .eventfdWrite), held: [Self.lock(Self.M)], history: [],
                window: nil, release: false)
        d.wait(thread: 3, held: [Self.lock(Self.M)],
               wait: WaitPoint(cls: Self.E, inst: Self.E * 10, awaits: .exclusive, op: .eventfdRead))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    // Rule 1, exclusions: a read-held lock waited only for writers; trylock,
    // timed and thread-body contexts were never waited for; the event's own
    // object gives nothing.
    func testHeldContextsNotReachedThroughAWaitGiveNothing() {
        let held = [HeldContext(cls: 1, inst: 1, op: .threadStart, flags: HeldContext.threadFlag),
                    Self.lock(Self.L, flags: HeldContext.tryFlag),
                    Self.lock(Self.M, flags: HeldContext.timedFlag),
                    HeldContext(cls: Self.S, inst: Self.S * 10, op: .semWait, flags: HeldContext.semFlag)]
        XCTAssertTrue(EventRules.dependencies(of: Self.post(), held: held, history: [], window: nil, release: false).isEmpty)
        let reader = HeldContext(cls: Self.L, inst: 7, shared: true, op: .rdlock)
        let deps = EventRules.dependencies(of: Self.post(), held: [reader], history: [], window: nil, release: false)
        XCTAssertEqual(deps.first?.wait.awaits, .exclusive)
    }

    // Rule 1, a futex-word lock's release: the contexts the shim marks as
    // entered before the take give nothing, the ones entered after still
    // count, and the stream of futex_lock_under_mutex (S then F in both
    // threads) is silent only with the mark.
    func testFutexLockReleaseDependsOnlyOnContextsAfterTheTake() {
        let wake = Self.post(Self.E, op: .futexWake)
        let held = [Self.lock(Self.M, flags: HeldContext.beforeTakeFlag), Self.lock(Self.L)]
        let deps = EventRules.dependencies(of: wake, held: held, history: [], window: nil, release: false)
        XCTAssertEqual(deps.map(\.wait.cls), [Self.L])
        for (flags, reports) in [(HeldContext.beforeTakeFlag, 0), (UInt32(0), 1)] {
            var d = Detector()
            d.event(thread: 2, event: wake, held: [Self.lock(Self.M, flags: flags)], history: [], window: nil, release: false)
            d.wait(thread: 3, held: [Self.lock(Self.M)],
                   wait: WaitPoint(cls: Self.E, inst: Self.E * 10, awaits: .exclusive, op: .futexWait))
            XCTAssertEqual(d.takePending().reports.count, reports, "flags \(flags)")
        }
    }

    // Rule 1, a futex wake whose take was unseen, on a class not yet shown
    // to be a lock: the dependency is kept, marked unsure; the cycle it
    // closes is held back, dropped when the class is shown to be a lock
    // (futex_lock_first_contended), reported when the process ends without
    // that (futex_wait_outer_lock), and judged at once once it is known.
    func testUnsureFutexReleaseIsHeldBackUntilTheClassIsKnown() {
        let wake = Self.post(Self.E, op: .futexWake)
        let unsure = Self.lock(Self.M, flags: HeldContext.unsureTakeFlag)
        let deps = EventRules.dependencies(of: wake, held: [unsure], history: [], window: nil, release: false)
        XCTAssertEqual(deps.map(\.wait.isUnsureRelease), [true])
        func stream(_ d: inout Detector) {
            d.event(thread: 2, event: wake, held: [unsure], history: [], window: nil, release: false)
            d.wait(thread: 3, held: [Self.lock(Self.M)],
                   wait: WaitPoint(cls: Self.E, inst: Self.E * 10, awaits: .exclusive, op: .futexWait))
        }
        var learned = Detector(options: Options.parse("verbosity=2").0)
        stream(&learned)
        XCTAssertEqual(learned.takePending().reports.count, 0)
        XCTAssertEqual(learned.heldBackReports.count, 1)
        learned.futexLockClass(Self.E)
        learned.releaseHeldBack()
        XCTAssertEqual(learned.takePending().reports.count, 0)
        XCTAssertEqual(learned.takeSilenced().map(\.rule.rule), ["futex lock"])

        var never = Detector()
        stream(&never)
        never.futexLockClass(Self.L)
        never.releaseHeldBack()
        XCTAssertEqual(never.takePending().reports.count, 1)

        var known = Detector()
        known.futexLockClass(Self.E)
        stream(&known)
        XCTAssertEqual(known.takePending().reports.count, 0)
        XCTAssertTrue(known.heldBackReports.isEmpty)

        // The same thread's sure wake later (its take seen, M taken after
        // it) is an observation of its own, not a repeat of the unsure one:
        // the class shown to be a lock drops only the unsure one.
        var later = Detector()
        later.event(thread: 2, event: wake, held: [unsure], history: [], window: nil, release: false)
        later.futexLockClass(Self.E)
        later.event(thread: 2, event: wake, held: [Self.lock(Self.M)], history: [], window: nil, release: false)
        later.wait(thread: 3, held: [Self.lock(Self.M)],
                   wait: WaitPoint(cls: Self.E, inst: Self.E * 10, awaits: .exclusive, op: .futexWait))
        XCTAssertEqual(later.takePending().reports.count, 1)
    }

    // Rule 1, announced on the way in: the flusher signalled C before it
    // took L (cond_announce_before_lock): its signal under L depends on L
    // with the mark, the cycle with the waiter that holds L while it waits
    // on C is held back by the `announced` rule (one verbosity=2 line), and
    // the same stream without the mark (cond_outer_lock) is reported.
    func testEventAnnouncedBeforeTakingAContextIsNoWayIntoACycle() {
        let signal = Self.post(Self.C, op: .condSignal)
        let announced = Self.lock(Self.L, flags: HeldContext.announcedFlag)
        let deps = EventRules.dependencies(of: signal, held: [announced], history: [], window: nil, release: false)
        XCTAssertEqual(deps.map(\.wait.isAnnounced), [true])
        for (flags, reports) in [(HeldContext.announcedFlag, 0), (UInt32(0), 1)] {
            var d = Detector(options: Options.parse("verbosity=2").0)
            d.wait(thread: 3, held: [Self.lock(Self.L)],
                   wait: WaitPoint(cls: Self.C, inst: Self.C * 10, awaits: .exclusive, op: .condWait))
            d.event(thread: 2, event: signal, held: [Self.lock(Self.L, flags: flags)], history: [],
                    window: nil, release: false)
            XCTAssertEqual(d.takePending().reports.count, reports, "flags \(flags)")
            XCTAssertEqual(d.takeSilenced().map(\.rule.rule), reports == 0 ? ["announced"] : [], "flags \(flags)")
        }
        // An unmarked observation of the edge still counts when the edge is
        // full of marked ones.
        var d = Detector()
        for t in UInt32(10)..<UInt32(10 + DependencyGraph.maxWitnessesPerEdge) {
            d.event(thread: t, event: signal, held: [announced], history: [], window: nil, release: false)
        }
        d.event(thread: 2, event: signal, held: [Self.lock(Self.L)], history: [], window: nil, release: false)
        d.wait(thread: 3, held: [Self.lock(Self.L)],
               wait: WaitPoint(cls: Self.C, inst: Self.C * 10, awaits: .exclusive, op: .condWait))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    // Rule 1, the release of a lock built from a mutex and a condvar
    // (cond_lock_release): the signaller checked C's predicate at site 7
    // after it took L. A waiter that holds L and waits on C in a check at
    // site 7 waits to acquire that lock: the `condvar lock` rule holds the
    // cycle back. A waiter at another site (cond_pool_other_predicate), or
    // a signal without the mark (`inverted`: L taken after the check), is
    // reported.
    func testReleaseOfAConditionLockTakenAfterTheContextIsNoWayIntoACycle() {
        var signal = Self.post(Self.C, op: .condSignal)
        signal.check = 7
        let before = Self.lock(Self.L, flags: HeldContext.beforeCheckFlag)
        let deps = EventRules.dependencies(of: signal, held: [before], history: [], window: nil, release: false)
        XCTAssertEqual(deps.map(\.wait.isAfterCheck), [true])
        XCTAssertEqual(deps.map(\.wait.check), [7])
        // Without the event's check site the mark means nothing.
        XCTAssertEqual(EventRules.dependencies(of: Self.post(Self.C, op: .condSignal), held: [before], history: [],
                                               window: nil, release: false).map(\.wait.isAfterCheck), [false])
        for (flags, waiterCheck, reports) in [(HeldContext.beforeCheckFlag, UInt32(7), 0),
                                              (HeldContext.beforeCheckFlag, UInt32(8), 1),
                                              (UInt32(0), UInt32(7), 1)] {
            var d = Detector(options: Options.parse("verbosity=2").0)
            d.wait(thread: 3, held: [Self.lock(Self.L)],
                   wait: WaitPoint(cls: Self.C, inst: Self.C * 10, awaits: .exclusive, op: .condWait, check: waiterCheck))
            d.event(thread: 2, event: signal, held: [Self.lock(Self.L, flags: flags)], history: [],
                    window: nil, release: false)
            let what = "flags \(flags), waiter's check \(waiterCheck)"
            XCTAssertEqual(d.takePending().reports.count, reports, what)
            XCTAssertEqual(d.takeSilenced().map(\.rule.rule), reports == 0 ? ["condvar lock"] : [], what)
        }
        // The same thread's unmarked signal later (it took L after a check
        // this time) is an observation of its own, not a repeat.
        var d = Detector()
        d.event(thread: 2, event: signal, held: [before], history: [], window: nil, release: false)
        d.event(thread: 2, event: Self.post(Self.C, op: .condSignal), held: [Self.lock(Self.L)], history: [],
                window: nil, release: false)
        d.wait(thread: 3, held: [Self.lock(Self.L)],
               wait: WaitPoint(cls: Self.C, inst: Self.C * 10, awaits: .exclusive, op: .condWait, check: 7))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    // Rule 2: history counts only inside the current waiting episode. Without
    // the window a wait on E from any earlier round would count.
    func testHistoryCountsOnlyDuringTheCurrentWaitingEpisode() {
        let history = [Self.waited(Self.E, at: 5), Self.waited(Self.L, at: 20, op: .semWait)]
        let c = Self.post(Self.C, op: .condSignal)
        XCTAssertEqual(EventRules.dependencies(of: c, held: [], history: history, window: 10, release: false).map(\.wait.cls),
                       [Self.L])
        XCTAssertEqual(Set(EventRules.dependencies(of: c, held: [], history: history, window: 0, release: false).map(\.wait.cls)),
                       [Self.E, Self.L])
        // Nobody waiting on C: no episode, no history dependency.
        XCTAssertTrue(EventRules.dependencies(of: c, held: [], history: history, window: nil, release: false).isEmpty)
    }

    // Rule 2, the mixed example: T1 holds M and waits on C; T2 reads E during
    // that wait, then signals C; T3 takes M before writing E.
    func testCycleThroughConditionEventfdAndMutex() {
        var d = Detector()
        d.wait(thread: 1, held: [Self.lock(Self.M)], wait: WaitPoint(cls: Self.C, inst: Self.C * 10, awaits: .exclusive, op: .condWait))
        d.event(thread: 2, event: Self.post(Self.C, op: .condSignal), held: [], history: [Self.waited(Self.E, at: 8)],
                window: 3, release: false)
        d.event(thread: 3, event: Self.post(Self.E, op: .eventfdWrite), held: [Self.lock(Self.M)], history: [],
                window: nil, release: false)
        let r = d.takePending().reports
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r.first?.links.count, 3)
    }

    // Rule 2, same class skipped: a ping-pong waits on C before it signals C.
    func testWaitOnTheEventsOwnClassIsSkipped() {
        let history = [Self.waited(Self.C, at: 20, op: .condWait)]
        XCTAssertTrue(EventRules.dependencies(of: Self.post(Self.C, op: .condSignal), held: [], history: history,
                                              window: 1, release: false).isEmpty)
    }

    // Rule 3: a hand-off release ignores history: B waited for H, then posts
    // S1 that A took; the post is A's release, it does not wait for H.
    func testHandOffReleaseIgnoresHistory() {
        let history = [Self.waited(Self.L, at: 20, op: .semWait)]
        XCTAssertTrue(EventRules.dependencies(of: Self.post(), held: [], history: history, window: 1, release: true).isEmpty)
        XCTAssertEqual(EventRules.dependencies(of: Self.post(), held: [Self.lock(Self.M)], history: history, window: 1,
                                               release: true).map(\.wait.cls), [Self.M])
    }
}

/// The plausibility rule of DependencyGraph: a cycle through an event counts
/// only when its contexts were seen in different threads.
final class PlausibilityTests: XCTestCase {
    static let C: UInt32 = 70, X: UInt32 = 71
    func signalAndWait(signaller: UInt32, waiter: UInt32) -> Int {
        var d = Detector()
        let x = HeldContext(cls: Self.X, inst: 710, op: .lock)
        d.event(thread: signaller, event: PointRef(cls: Self.C, inst: 700, op: .condSignal, stack: 0), held: [x],
                history: [], window: nil, release: false)
        d.wait(thread: waiter, held: [x], wait: WaitPoint(cls: Self.C, inst: 700, awaits: .exclusive, op: .condWait))
        return d.takePending().reports.count
    }

    // One thread signalling C under X and later waiting on C under X: silent.
    func testEventCycleWithinOneThreadIsSilent() { XCTAssertEqual(signalAndWait(signaller: 1, waiter: 1), 0) }
    // The same with two threads: reported.
    func testEventCycleAcrossThreadsIsReported() { XCTAssertEqual(signalAndWait(signaller: 1, waiter: 2), 1) }

    // A lock-order cycle within one thread is still reported, as lockdep does.
    func testLockCycleWithinOneThreadIsReported() {
        var d = Detector()
        d.wait(thread: 1, held: [HeldContext(cls: 1, inst: 1)], wait: WaitPoint(cls: 2, inst: 2))
        d.wait(thread: 1, held: [HeldContext(cls: 2, inst: 2)], wait: WaitPoint(cls: 1, inst: 1))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }
}
