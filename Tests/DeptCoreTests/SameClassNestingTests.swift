import XCTest
@testable import DeptCore

/// Instance pairs of one class (SameClassNesting): loops of any length up
/// to maxLoopLength, no search while a class nests in one address order,
/// and the hints that let the shim stop sending such pairs.
final class SameClassNestingTests: XCTestCase {
    /// Node `n` of class N, at address 0x1000 + 64 n (an array of locks).
    func node(_ n: UInt32) -> (inst: UInt32, addr: UInt) { (inst(Cls.N, n), 0x1000 + 64 * UInt(n)) }

    func holdNode(_ n: UInt32) -> HeldContext {
        HeldContext(cls: Cls.N, inst: node(n).inst, addr: node(n).addr)
    }
    func waitNode(_ n: UInt32) -> WaitPoint {
        WaitPoint(cls: Cls.N, inst: node(n).inst, addr: node(n).addr)
    }

    /// The order instanceOrderRule reads: through chains of pairs, in
    /// their direction only; unknown (nil) once the budget runs out.
    func testNestingOrderFollowsChainsOfPairs() {
        var s = SameClassNesting()
        let n = EventNode(cls: Cls.N)
        func pair(_ a: UInt32, _ b: UInt32) {
            _ = s.add(node: n, witness: Witness(thread: 1, from: holdNode(a), wait: waitNode(b), gates: []))
        }
        XCTAssertFalse(s.nests(n))
        pair(1, 2); pair(2, 3)
        XCTAssertTrue(s.nests(n))
        XCTAssertEqual(s.nests(n, node(1).inst, before: node(3).inst), true)
        XCTAssertEqual(s.nests(n, node(3).inst, before: node(1).inst), false)
        XCTAssertEqual(s.nests(n, node(1).inst, before: node(1).inst), false)
        XCTAssertEqual(s.nests(EventNode(cls: Cls.A), node(1).inst, before: node(3).inst), false)
        // A fan wider than the budget, none of it leading to 0 (addresses
        // unknown, so the class is not one that nests one way only).
        for k in 0...UInt32(SameClassNesting.orderBudget) {
            let w = WaitPoint(cls: Cls.N, inst: inst(Cls.N, 1000 + k), addr: 0)
            _ = s.add(node: n, witness: Witness(thread: 1, from: holdNode(3), wait: w, gates: []))
        }
        XCTAssertNil(s.nests(n, node(1).inst, before: node(0).inst))
    }

    func testRingOfThirtyInstancesIsOneLoop() {
        var d = Detector()
        for k: UInt32 in 0..<30 {
            d.wait(thread: 2 + k, held: [holdNode(k)], wait: waitNode((k + 1) % 30))
        }
        let reports = d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        XCTAssertEqual(reports.first?.links.count, 30)
    }

    func testRingLongerThanTheBoundIsNotSearchedForever() {
        var d = Detector()
        let n = UInt32(SameClassNesting.maxLoopLength + 1)
        for k: UInt32 in 0..<n {
            d.wait(thread: 2 + k, held: [holdNode(k)], wait: waitNode((k + 1) % n))
        }
        XCTAssertTrue(d.takePending().reports.isEmpty)
    }

    func testOneThreadTakingTwoInstancesInBothOrdersIsALoop() {
        var d = Detector()
        d.wait(thread: 1, held: [holdNode(1)], wait: waitNode(2))
        d.wait(thread: 1, held: [holdNode(2)], wait: waitNode(1))
        XCTAssertEqual(d.takePending().reports.first?.links.count, 2)
    }

    func testNestingInOneAddressOrderIsNeverSearched() {
        var g = DependencyGraph()
        // A long ascending chain, then more ascending pairs that jump over it.
        for k: UInt32 in 0..<200 {
            XCTAssertTrue(g.addWait(thread: 2, held: [holdNode(k)], wait: waitNode(k + 1)).isEmpty)
        }
        for k: UInt32 in 0..<100 {
            XCTAssertTrue(g.addWait(thread: 3, held: [holdNode(k)], wait: waitNode(k + 50)).isEmpty)
        }
        XCTAssertEqual(g.sameClass.searches, 0, "a class nested only upwards cannot have a loop")
        // The first pair going down makes the class searchable, and closes
        // the loop 10 -> ... -> 60 -> 10.
        XCTAssertFalse(g.addWait(thread: 4, held: [holdNode(60)], wait: waitNode(10)).isEmpty)
        XCTAssertEqual(g.sameClass.searches, 1)
    }

    func testOneWayClassHintsTheShimOnceItKeepsEnough() {
        var g = DependencyGraph()
        let kept = UInt32(SameClassNesting.keptOneWay)
        for k: UInt32 in 0..<kept {
            _ = g.addWait(thread: 2, held: [holdNode(k)], wait: waitNode(k + 1))
        }
        XCTAssertEqual(g.takeSameClassHints(), [], "no hint while the class still keeps its pairs")
        _ = g.addWait(thread: 2, held: [holdNode(kept)], wait: waitNode(kept + 1))
        XCTAssertEqual(g.takeSameClassHints(), [SameClassNesting.Hint(cls: Cls.N, skip: .up)])
        XCTAssertEqual(g.droppedInstancePairs, 1)
        // A pair going down withdraws it: pairs up may close loops now.
        _ = g.addWait(thread: 3, held: [holdNode(5)], wait: waitNode(3))
        XCTAssertEqual(g.takeSameClassHints(), [SameClassNesting.Hint(cls: Cls.N, skip: [])])
    }

    func testPairsWithoutAddressesAreAlwaysSearched() {
        var g = DependencyGraph()
        _ = g.addWait(thread: 2, held: [held(Cls.N, inst(Cls.N, 1))], wait: lockWait(Cls.N, inst(Cls.N, 2)))
        XCTAssertEqual(g.sameClass.searches, 1)
        XCTAssertFalse(g.addWait(thread: 3, held: [held(Cls.N, inst(Cls.N, 2))], wait: lockWait(Cls.N, inst(Cls.N, 1))).isEmpty)
    }
}
