import XCTest
@testable import DeptCore

/// The cycle search's bound: a search that runs long first asks whether any
/// path leads back at all, and without one it stops instead of walking the
/// dead ends until its budget is gone.
final class CycleSearchTests: XCTestCase {
    var inst: UInt32 = 0

    /// `thread` holds `from` and waits for `to` (exclusive only).
    func nest(_ g: inout DependencyGraph, _ thread: UInt32, _ from: UInt32, _ to: UInt32) -> [FoundCycle] {
        inst += 2
        return g.addWait(thread: thread, held: [HeldContext(cls: from, inst: inst)],
                         wait: WaitPoint(cls: to, inst: inst + 1, awaits: [.exclusive]))
    }

    /// Without any path back, nothing is reported and no search runs out of
    /// budget, however many paths the part of the graph the new edge leads
    /// into has (30 classes each nested in every later one: 2^28 paths).
    func testNoPathBackIsNoCycle() {
        var g = DependencyGraph()
        var thread: UInt32 = 10
        for a: UInt32 in 0..<30 {
            for b in (a + 1)..<30 { thread += 1; _ = nest(&g, thread, 100 + a, 100 + b) }
        }
        XCTAssertTrue(nest(&g, 2, 1, 100).isEmpty)
        XCTAssertTrue(nest(&g, 3, 129, 2).isEmpty)
        XCTAssertEqual(g.exhaustedSearches, 0)
    }

    /// A path back exists, and a dead end with a great many paths comes
    /// first in the search's order (targets in class order: the 30 classes
    /// each nested in every later one, 2^28 paths, before class 900 on the
    /// way back). The long search steps only into nodes that reach the
    /// goal, so the cycle is found and no budget runs out (RocksDB's manual
    /// compaction gave up on 9 searches of a 136-dependency graph).
    func testADeadEndBeforeThePathBackCostsNothing() {
        var g = DependencyGraph()
        var thread: UInt32 = 10
        for a: UInt32 in 0..<30 {
            for b in (a + 1)..<30 { thread += 1; _ = nest(&g, thread, 100 + a, 100 + b) }
        }
        XCTAssertTrue(nest(&g, 3, 1, 100).isEmpty)
        XCTAssertTrue(nest(&g, 4, 1, 900).isEmpty)
        XCTAssertTrue(nest(&g, 5, 900, 2).isEmpty)
        XCTAssertEqual(nest(&g, 6, 2, 1).count, 1, "2 -> 1 -> 900 -> 2")
        XCTAssertEqual(g.exhaustedSearches, 0)
    }

    /// A search that finds only cycles the judge turns down keeps the
    /// shortest for verbosity=2's "not reported" line: the new edge's own
    /// two-cycle, not a longer one through it that the search met first
    /// (a join under a lock, whose line went missing when the search met
    /// G -> thread -> pool_run -> G first). The search follows out-edges
    /// in the order of their targets, so the longer path (through class 3)
    /// comes first whichever edge was added first.
    func testTheShortestRejectedCycleIsKept() {
        for twoCycleFirst in [true, false] {
            var g = DependencyGraph()
            let judge: CycleVerdict = { ws, _ in ws.count == 2 ? .tokenRing : .eventSameThread }
            // The new edge will be 5 -> 2; paths back: 2 -> 5, and 2 -> 3 -> 5.
            if twoCycleFirst { _ = nest(&g, 10, 2, 5) }
            _ = nest(&g, 11, 2, 3)
            _ = nest(&g, 12, 3, 5)
            if !twoCycleFirst { _ = nest(&g, 13, 2, 5) }
            inst += 2
            let found = g.addWait(thread: 20, held: [HeldContext(cls: 5, inst: inst)],
                                  wait: WaitPoint(cls: 2, inst: inst + 1, awaits: [.exclusive]), judge: judge)
            XCTAssertTrue(found.isEmpty)
            let rejections = g.takeRejections()
            XCTAssertEqual(rejections.map(\.rule), [.tokenRing], "two-cycle added first: \(twoCycleFirst)")
            XCTAssertEqual(rejections.first?.witnesses.count, 2)
        }
    }
}
