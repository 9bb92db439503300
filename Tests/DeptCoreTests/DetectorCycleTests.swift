import XCTest
@testable import DeptCore

/// Potential-deadlock detection (DESIGN §2-§4) driven through
/// `Detector.wait`, i.e. `DependencyGraph.addWait` plus the detector's
/// per-process dedup. Every test names the rule it pins.
final class DetectorCycleTests: XCTestCase {
    typealias C = Cls

    // MARK: basic cycles

    /// Rule: a new dependency that closes a class-level cycle is reported, once
    /// (DESIGN §3); an identical stream adds no new observation (Witness dedup
    /// on thread+gates in DependencyGraph.record) and so no new report.
    func testABBAReportedOnceAndRepeatedStreamAddsNothing() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.B))
        XCTAssertTrue(d.pendingReports.isEmpty, "one direction only is not a cycle")
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A))
        let first = d.takePending().reports
        XCTAssertEqual(first.count, 1)
        XCTAssertEqual(first.first?.links.count, 2)
        XCTAssertEqual(Set(first.first?.links.map(\.from.cls) ?? []), [C.A, C.B])
        XCTAssertEqual(Set(first.first?.links.map(\.witness.thread) ?? []), [2, 3])

        // The very same stream again.
        let edgesBefore = d.graph.edgeCount
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A))
        XCTAssertEqual(d.graph.edgeCount, edgesBefore)
        XCTAssertEqual(d.graph.edge(from: EventNode(cls: C.A), to: EventNode(cls: C.B))?.witnesses.count, 1)
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// Rule: the cycle search follows paths of more than one edge (DFS in
    /// DependencyGraph.findCycle): A->B (T1), B->C (T2), C->A (T3).
    func testThreeClassCycleOverThreeThreads() {
        var d = Detector()
        d.wait(thread: 1, held: [held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 2, held: [held(C.B)], wait: lockWait(C.C))
        XCTAssertTrue(d.pendingReports.isEmpty)
        d.wait(thread: 3, held: [held(C.C)], wait: lockWait(C.A))
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        guard let r = reports.first else { return }
        XCTAssertEqual(r.links.count, 3)
        XCTAssertEqual(Set(r.links.map(\.from.cls)), [C.A, C.B, C.C])
        // Links chain: each link's target is the next link's source.
        for i in r.links.indices {
            XCTAssertEqual(r.links[i].to.cls, r.links[(i + 1) % r.links.count].from.cls)
        }
        // The report is built at the moment the closing wait starts: first
        // link is the new edge (C -> A).
        XCTAssertEqual(r.links.first?.from.cls, C.C)
        XCTAssertEqual(r.links.first?.to.cls, C.A)
    }

    /// Rule: no cycle, no report (precision): A->B, B->C, A->C, nested A,B->C.
    func testConsistentOrderIsSilent() {
        var d = Detector()
        for t: UInt32 in 1...4 {
            d.wait(thread: t, held: [held(C.A)], wait: lockWait(C.B))
            d.wait(thread: t, held: [held(C.A), held(C.B)], wait: lockWait(C.C))
            d.wait(thread: t, held: [held(C.B)], wait: lockWait(C.C))
            d.wait(thread: t, held: [held(C.A)], wait: lockWait(C.C))
        }
        XCTAssertTrue(d.takePending().reports.isEmpty)
        XCTAssertNotNil(d.graph.edge(from: EventNode(cls: C.A), to: EventNode(cls: C.C)))
    }

    // MARK: gate locks

    /// Rule: observations that share a held instance (a gate) cannot coexist
    /// (Witness.compatible). AB under G and BA under the same G: silent.
    func testCommonGateInstanceSuppressesCycle() {
        var d = Detector()
        let g = inst(C.G, 1)
        d.wait(thread: 2, held: [held(C.G, g), held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.G, g), held(C.B)], wait: lockWait(C.A))
        XCTAssertTrue(d.takePending().reports.isEmpty)
        // Both edges were recorded, with the gate in their witnesses.
        XCTAssertEqual(d.graph.edge(from: EventNode(cls: C.A), to: EventNode(cls: C.B))?.witnesses.first?.gates, [g])
        XCTAssertEqual(d.graph.edge(from: EventNode(cls: C.B), to: EventNode(cls: C.A))?.witnesses.first?.gates, [g])
    }

    /// Rule: gates are instances, not classes. Two different gate instances
    /// G1/G2 of one class do not exclude each other: reported.
    func testDifferentGateInstancesStillReport() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.G, inst(C.G, 1)), held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.G, inst(C.G, 2)), held(C.B)], wait: lockWait(C.A))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Rule: a gate-free observation of an edge already seen under a gate is
    /// new information (record() keeps witnesses per gate set) and closes the
    /// cycle the gated one could not.
    func testGateFreeObservationLaterClosesTheGatedCycle() {
        var d = Detector()
        let g = inst(C.G, 1)
        d.wait(thread: 2, held: [held(C.G, g), held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.G, g), held(C.B)], wait: lockWait(C.A))
        XCTAssertTrue(d.takePending().reports.isEmpty)
        d.wait(thread: 4, held: [held(C.B)], wait: lockWait(C.A))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Rule: thread-body contexts (HeldContext.threadFlag) are not gates:
    /// one thread doing AB then BA holds its own body context both times,
    /// which must not make the two observations "exclusive".
    func testThreadBodyContextIsNotAGate() {
        var d = Detector()
        let body = threadBody(C.T, 4001)
        d.wait(thread: 2, held: [body, held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 2, held: [body, held(C.B)], wait: lockWait(C.A))
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        for l in reports.first?.links ?? [] { XCTAssertEqual(l.witness.gates, []) }
    }

    /// Rule: a thread body is an event context (its [E] is the exit a join
    /// waits for): main holds A and joins T2 while T2 waits for A.
    func testJoinWhileHoldingALockTheThreadNeedsIsACycle() {
        var d = Detector()
        let t2 = UInt32(4002)
        d.wait(thread: 1, held: [held(C.A)], wait: joinWait(C.T, t2))
        XCTAssertTrue(d.pendingReports.isEmpty)
        d.wait(thread: 2, held: [threadBody(C.T, t2)], wait: lockWait(C.A))
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        XCTAssertEqual(Set(reports.first?.links.map(\.from.cls) ?? []), [C.A, C.T])
    }

    // MARK: rwlocks

    /// Rule: readers wait only for the exclusive release (WaitPoint.nodes
    /// with awaits = [.exclusive]) and a read-held lock is the shared event
    /// node. R read-held -> wait M, and M held -> read-wait R: no cycle.
    func testReadHeldThenMutexAndMutexThenReadWaitIsNotACycle() {
        var d = Detector()
        d.wait(thread: 2, held: [readHeld(C.R)], wait: lockWait(C.M))
        d.wait(thread: 3, held: [held(C.M)], wait: readWait(C.R))
        XCTAssertTrue(d.takePending().reports.isEmpty)
        // The edges exist, on the two different event nodes of R.
        XCTAssertNotNil(d.graph.edge(from: EventNode(cls: C.R, shared: true), to: EventNode(cls: C.M)))
        XCTAssertNotNil(d.graph.edge(from: EventNode(cls: C.M), to: EventNode(cls: C.R, shared: false)))
        XCTAssertNil(d.graph.edge(from: EventNode(cls: C.M), to: EventNode(cls: C.R, shared: true)))
    }

    /// Rule: a reader does wait for a writer: R write-held -> wait M, and M
    /// held -> read-wait R is a cycle.
    func testWriteHeldThenMutexAndMutexThenReadWaitIsACycle() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.R, op: .wrlock)], wait: lockWait(C.M))
        d.wait(thread: 3, held: [held(C.M)], wait: readWait(C.R))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Rule: a writer waits for readers too: R read-held -> wait M, and M
    /// held -> write-wait R is a cycle.
    func testReadHeldThenMutexAndMutexThenWriteWaitIsACycle() {
        var d = Detector()
        d.wait(thread: 2, held: [readHeld(C.R)], wait: lockWait(C.M))
        d.wait(thread: 3, held: [held(C.M)], wait: lockWait(C.R, op: .wrlock))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Rule: readers never wait for readers: two rwlocks taken for reading in
    /// both orders, no writer involved, is silent (DESIGN §3 must-stay-silent).
    func testReadersInBothOrdersAreSilent() {
        var d = Detector()
        d.wait(thread: 2, held: [readHeld(C.R)], wait: readWait(C.X))
        d.wait(thread: 3, held: [readHeld(C.X)], wait: readWait(C.R))
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// DESIGN §4: same-class nesting is reported only with instance-level
    /// evidence of an inversion. Writers and readers both walk rwlock nodes of
    /// one class hand-over-hand in the SAME order (node 1, then node 2): no
    /// inversion, no possible deadlock, so no report.
    /// (Pins that same-class nesting of rwlocks goes to the instance rule
    /// whatever the modes; see the final report: addWait only treats
    /// `from == target` as same-class, so R.excl -> R.shared and
    /// R.shared -> R.excl become class-level edges and close a cycle.)
    func testRwlockSameClassHandOverHandInOneOrderIsSilent() {
        var d = Detector()
        let n1 = inst(C.R, 1), n2 = inst(C.R, 2)
        // writer: wrlock(n1); wrlock(n2)
        d.wait(thread: 2, held: [held(C.R, n1, op: .wrlock)], wait: lockWait(C.R, n2, op: .wrlock))
        // reader: rdlock(n1); rdlock(n2)
        d.wait(thread: 3, held: [readHeld(C.R, n1)], wait: readWait(C.R, n2))
        XCTAssertTrue(d.takePending().reports.isEmpty,
                      "same-class rwlock nesting in one instance order was reported as a deadlock")
    }

    // MARK: timed waits, trylock

    /// Rule (R2.7): a timed wait can't hang forever: a cycle through it is
    /// information, never a deadlock. It is recorded, and such a cycle is
    /// reported flagged `throughTimedWait`.
    func testCycleThroughTimedWaitIsInformationOnly() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.B, op: .timedlock, flags: WaitPoint.timedFlag))
        XCTAssertEqual(d.graph.edgeCount, 2)
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A))
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        XCTAssertTrue(reports.allSatisfy { $0.throughTimedWait }, "a cycle through a timed wait is information only")
    }

    /// ... and an untimed observation of the same edge later makes it a
    /// deadlock, reported once more as one.
    func testUntimedObservationAfterTimedCycleIsADeadlock() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.B, op: .timedlock, flags: WaitPoint.timedFlag))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A))
        XCTAssertEqual(d.takePending().reports.map { $0.throughTimedWait }, [true])
        d.wait(thread: 4, held: [held(C.A)], wait: lockWait(C.B))
        XCTAssertEqual(d.takePending().reports.map { $0.throughTimedWait }, [false])
    }

    /// Rule: a lock taken by a timed wait is still held ([S]): it is a source
    /// of dependencies like any other held lock.
    func testLockTakenWithTimeoutStillActsAsSource() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.A, op: .timedlock, flags: HeldContext.timedFlag)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    /// Rule: a trylock-acquired context (no wait recorded for it) is still an
    /// [S] when held: T2 trylocks A then waits B; T3 holds B and waits A.
    func testTrylockAcquiredContextActsAsSource() {
        var d = Detector()
        // No d.wait for the trylock of A itself: it cannot block.
        d.wait(thread: 2, held: [held(C.A, op: .trylock, flags: HeldContext.tryFlag)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A))
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        XCTAssertTrue(reports.first?.links.contains { $0.witness.from.op == .trylock } ?? false)
    }

    // MARK: same-class nesting, self waits

    /// Rule: same-class nesting is recorded per instance pair (hand-over-hand
    /// 1->2, 2->3, 3->4 of one class is silent)...
    func testSameClassHandOverHandIsSilent() {
        var d = Detector()
        for i: UInt32 in 1...3 {
            d.wait(thread: 2, held: [held(C.N, inst(C.N, i))], wait: lockWait(C.N, inst(C.N, i + 1)))
        }
        // Another thread walking the same list in the same direction.
        for i: UInt32 in 1...3 {
            d.wait(thread: 3, held: [held(C.N, inst(C.N, i))], wait: lockWait(C.N, inst(C.N, i + 1)))
        }
        // And a longer-range consistent nesting 1 -> 3.
        d.wait(thread: 3, held: [held(C.N, inst(C.N, 1))], wait: lockWait(C.N, inst(C.N, 3)))
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// ...and reported as a cycle once two instances are taken in both orders.
    func testSameClassInstanceInversionIsReported() {
        var d = Detector()
        for i: UInt32 in 1...3 {
            d.wait(thread: 2, held: [held(C.N, inst(C.N, i))], wait: lockWait(C.N, inst(C.N, i + 1)))
        }
        XCTAssertTrue(d.pendingReports.isEmpty)
        d.wait(thread: 3, held: [held(C.N, inst(C.N, 2))], wait: lockWait(C.N, inst(C.N, 1)))
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        guard let r = reports.first else { return }
        XCTAssertEqual(r.links.count, 2)
        XCTAssertTrue(r.links.allSatisfy { $0.from.cls == C.N && $0.to.cls == C.N })
        XCTAssertEqual(Set(r.links.map(\.witness.from.inst)), [inst(C.N, 1), inst(C.N, 2)])
        XCTAssertEqual(Set(r.links.map(\.witness.wait.inst)), [inst(C.N, 1), inst(C.N, 2)])
    }

    /// Rule: a longer instance chain closes too (1->2->3, then 3->1).
    func testSameClassThreeInstanceInversionIsReported() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.N, inst(C.N, 1))], wait: lockWait(C.N, inst(C.N, 2)))
        d.wait(thread: 3, held: [held(C.N, inst(C.N, 2))], wait: lockWait(C.N, inst(C.N, 3)))
        d.wait(thread: 4, held: [held(C.N, inst(C.N, 3))], wait: lockWait(C.N, inst(C.N, 1)))
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        XCTAssertEqual(reports.first?.links.count, 3)
    }

    /// Rule: the gate rule applies to instance pairs too: inversions always
    /// taken under one gate instance are silent.
    func testSameClassInversionUnderCommonGateIsSilent() {
        var d = Detector()
        let g = inst(C.G, 1)
        d.wait(thread: 2, held: [held(C.G, g), held(C.N, inst(C.N, 1))], wait: lockWait(C.N, inst(C.N, 2)))
        d.wait(thread: 3, held: [held(C.G, g), held(C.N, inst(C.N, 2))], wait: lockWait(C.N, inst(C.N, 1)))
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// DESIGN §5: each distinct cycle is reported once per process, dedup by
    /// a key computed from the classes and sites. The same instance inversion
    /// (same class, same sites) on another pair of instances (the classic
    /// transfer(a, b) / transfer(b, a) over many accounts) is the same cycle:
    /// it must not be queued again. (FoundCycle.identity of same-class cycles
    /// contains the instance ids, so every pair is a "new" cycle.)
    func testSameClassInversionOnOtherInstancesIsNotReportedAgain() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.N, inst(C.N, 1))], wait: lockWait(C.N, inst(C.N, 2)))
        d.wait(thread: 3, held: [held(C.N, inst(C.N, 2))], wait: lockWait(C.N, inst(C.N, 1)))
        XCTAssertEqual(d.takePending().reports.count, 1)
        d.wait(thread: 2, held: [held(C.N, inst(C.N, 3))], wait: lockWait(C.N, inst(C.N, 4)))
        d.wait(thread: 3, held: [held(C.N, inst(C.N, 4))], wait: lockWait(C.N, inst(C.N, 3)))
        XCTAssertEqual(d.takePending().reports.count, 0,
                       "the same inversion (same class, same sites) on other instances was reported again")
    }

    /// Rule: waiting for an instance this thread already holds is a cycle of
    /// one event (DependencyGraph.addSameClass, a == b).
    func testSelfWaitIsOneEventCycle() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.A))
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        XCTAssertEqual(reports.first?.links.count, 1)
        XCTAssertEqual(reports.first?.links.first?.from.cls, C.A)
        XCTAssertEqual(reports.first?.links.first?.witness.wait.inst, inst(C.A))
        // Once.
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.A))
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// Rule: ...unless the wait is on a recursive mutex (re-lock by the owner
    /// succeeds) or an error-checking one (it fails with EDEADLK).
    func testSelfWaitOnRecursiveOrErrorcheckMutexIsSilent() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.A, flags: WaitPoint.recursiveFlag))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.B, flags: WaitPoint.errorcheckFlag))
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// Rule: recursive read-locking by a reader is not a self-deadlock (a
    /// reader waits only for the exclusive release), but upgrading (read-held,
    /// then write-wait on the same instance) is.
    func testRwlockReadRelockIsSilentButUpgradeIsSelfDeadlock() {
        var d = Detector()
        d.wait(thread: 2, held: [readHeld(C.R)], wait: readWait(C.R))
        XCTAssertTrue(d.takePending().reports.isEmpty)
        d.wait(thread: 2, held: [readHeld(C.R)], wait: lockWait(C.R, op: .wrlock))
        XCTAssertEqual(d.takePending().reports.count, 1)
    }

    // MARK: caps and dedup

    /// Rule: witnesses per edge are capped at maxWitnessesPerEdge; the
    /// overflow is counted in droppedWitnesses (never silently lost).
    func testWitnessesPerEdgeAreCappedAndOverflowCounted() {
        var d = Detector()
        let cap = DependencyGraph.maxWitnessesPerEdge
        let extra = 3
        for t in 1...(cap + extra) {
            d.wait(thread: UInt32(t), held: [held(C.A)], wait: lockWait(C.B))
        }
        // A repeat of an already kept observation is a duplicate, not a drop.
        d.wait(thread: 1, held: [held(C.A)], wait: lockWait(C.B))
        let e = d.graph.edge(from: EventNode(cls: C.A), to: EventNode(cls: C.B))
        XCTAssertEqual(e?.witnesses.count, cap)
        XCTAssertEqual(e?.droppedWitnesses, extra)
        XCTAssertEqual(e?.witnesses.map(\.thread), (1...cap).map { UInt32($0) })
    }

    /// Rule: reportedCycles dedups across calls. A new observation of an
    /// edge of an already reported cycle (new gate set, so the graph does
    /// find the cycle again) queues nothing.
    func testReportedCyclesDedupAcrossCalls() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A))
        XCTAssertEqual(d.takePending().reports.count, 1)

        let held4 = [held(C.X, inst(C.X, 1)), held(C.A)]
        // The graph alone finds the cycle again for this observation...
        var g = d.graph
        XCTAssertFalse(g.addWait(thread: 4, held: held4, wait: lockWait(C.B)).isEmpty)
        // ...the detector does not queue it a second time.
        d.wait(thread: 4, held: held4, wait: lockWait(C.B))
        d.wait(thread: 5, held: [held(C.B)], wait: lockWait(C.A))
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    /// Rule: DependencyGraph.addWait returns only cycles closed by NEW
    /// information: repeating an observation already recorded (same thread,
    /// same gates; or the same instance pair of one class) returns nothing,
    /// so the search is not re-run on every lock.
    func testGraphReturnsNoCycleForRepeatedObservations() {
        var g = DependencyGraph()
        _ = g.addWait(thread: 2, held: [held(C.A)], wait: lockWait(C.B))
        XCTAssertEqual(g.addWait(thread: 3, held: [held(C.B)], wait: lockWait(C.A)).count, 1)
        XCTAssertTrue(g.addWait(thread: 3, held: [held(C.B)], wait: lockWait(C.A)).isEmpty)
        XCTAssertTrue(g.addWait(thread: 2, held: [held(C.A)], wait: lockWait(C.B)).isEmpty)

        _ = g.addWait(thread: 2, held: [held(C.N, inst(C.N, 1))], wait: lockWait(C.N, inst(C.N, 2)))
        XCTAssertEqual(g.addWait(thread: 3, held: [held(C.N, inst(C.N, 2))], wait: lockWait(C.N, inst(C.N, 1))).count, 1)
        XCTAssertTrue(g.addWait(thread: 3, held: [held(C.N, inst(C.N, 2))], wait: lockWait(C.N, inst(C.N, 1))).isEmpty)
    }

    /// Rule: detect_potential=0 records the graph but queues no report.
    func testDetectPotentialFalseQueuesNoReport() {
        var o = Options()
        o.detectPotential = false
        var d = Detector(options: o)
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A))
        d.wait(thread: 3, held: [held(C.C)], wait: lockWait(C.C))
        XCTAssertTrue(d.pendingReports.isEmpty)
        XCTAssertTrue(d.takePending().reports.isEmpty)
        XCTAssertNotNil(d.graph.edge(from: EventNode(cls: C.B), to: EventNode(cls: C.A)))
    }

    // MARK: search completeness

    /// DESIGN §3: a dependency that closes a cycle is reported. Here the cycle
    /// A->B->C->A is real with the SECOND observation of A->B (taken under G2
    /// by T5), while the first one (under G1) shares the gate G1 with B->C.
    /// The search must try the other witnesses of an intermediate edge, not
    /// only the first compatible one.
    func testCycleFoundThroughSecondWitnessOfIntermediateEdge() {
        var d = Detector()
        let g1 = inst(C.G, 1), g2 = inst(C.G, 2)
        d.wait(thread: 2, held: [held(C.G, g1), held(C.A)], wait: lockWait(C.B)) // A->B under G1
        d.wait(thread: 5, held: [held(C.G, g2), held(C.A)], wait: lockWait(C.B)) // A->B under G2
        d.wait(thread: 3, held: [held(C.G, g1), held(C.B)], wait: lockWait(C.C)) // B->C under G1
        XCTAssertTrue(d.pendingReports.isEmpty)
        d.wait(thread: 4, held: [held(C.C)], wait: lockWait(C.A))               // C->A closes
        // T5 (G2, A, waits B), T3 (G1, B, waits C), T4 (C, waits A) can all
        // block at once: a real deadlock.
        XCTAssertEqual(d.takePending().reports.count, 1,
                       "cycle A->B(G2)->C(G1)->A missed: only the first witness of A->B was tried")
    }

    /// DESIGN §3, same as above for nodes: a node reached first through a
    /// path whose observations clash must still be usable from another path.
    /// A->B (under G1), B->C, A->C, C->D (under G1), then D->A closes the
    /// real cycle A->C->D->A (T4 holds A waits C, T5 holds G1,C waits D, T6
    /// holds D waits A).
    func testCycleFoundThroughNodeFirstVisitedOnAClashingPath() {
        var d = Detector()
        let g1 = inst(C.G, 1)
        d.wait(thread: 2, held: [held(C.G, g1), held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.C))
        d.wait(thread: 4, held: [held(C.A)], wait: lockWait(C.C))
        d.wait(thread: 5, held: [held(C.G, g1), held(C.C)], wait: lockWait(C.D))
        XCTAssertTrue(d.pendingReports.isEmpty)
        d.wait(thread: 6, held: [held(C.D)], wait: lockWait(C.A))
        XCTAssertEqual(d.takePending().reports.count, 1,
                       "cycle A->C->D->A missed: C was marked visited on the clashing path via B")
    }
}
