import XCTest
@testable import DeptCore

/// The cycle search's bound: it walks only nodes that lie on some path back
/// to the new edge's source, so dead ends the program built elsewhere do not
/// use up its budget before it reaches the cycle.
final class CycleSearchTests: XCTestCase {
    var inst: UInt32 = 0

    /// `thread` holds `from` and waits for `to` (exclusive only).
    func nest(_ g: inout DependencyGraph, _ thread: UInt32, _ from: UInt32, _ to: UInt32) -> [FoundCycle] {
        inst += 2
        return g.addWait(thread: thread, held: [HeldContext(cls: from, inst: inst)],
                         wait: WaitPoint(cls: to, inst: inst + 1, awaits: [.exclusive]))
    }

    /// S leads into 8 layers of 4 classes each, every class of a layer to
    /// every class of the next (4^8 paths, none back to G), and through one
    /// more class, searched last (outgoing edges go by class id), to G.
    /// Holding G while waiting for S closes a cycle of three.
    func testDeadEndsDoNotUseUpTheBudget() {
        let g0: UInt32 = 1, s: UInt32 = 2, via: UInt32 = 9000
        let layers = 8, width: UInt32 = 4
        func cls(_ layer: Int, _ k: UInt32) -> UInt32 { 100 + UInt32(layer) * 10 + k }
        var g = DependencyGraph()
        var thread: UInt32 = 10
        for k in 0..<width { _ = nest(&g, thread, s, cls(0, k)) }
        for l in 0..<(layers - 1) {
            for a in 0..<width {
                for b in 0..<width { thread += 1; _ = nest(&g, thread, cls(l, a), cls(l + 1, b)) }
            }
        }
        XCTAssertGreaterThan(Int(pow(Double(width), Double(layers))), DependencyGraph.searchBudget,
                             "the dead ends alone are more than one search may walk")
        _ = nest(&g, 3, s, via)
        _ = nest(&g, 4, via, g0)
        let found = nest(&g, 5, g0, s)
        XCTAssertEqual(found.count, 1, "the cycle G -> S -> \(via) -> G")
        XCTAssertEqual(found.first?.edges.count, 3)
        XCTAssertEqual(g.exhaustedSearches, 0)
    }

    /// Without any path back, nothing is searched and nothing is reported,
    /// however large the part of the graph the new edge leads into.
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
