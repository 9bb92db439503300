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
}
