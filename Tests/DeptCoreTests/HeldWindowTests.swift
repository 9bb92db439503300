import XCTest
@testable import DeptCore

/// DependencyGraph.heldWindow: the held contexts the runtime converts for a
/// new wait. Given only those, addWait must record what it records given
/// the whole held list, or a thread holding many locks would lose gates or
/// dependencies.
final class HeldWindowTests: XCTestCase {
    /// `count` held contexts of distinct classes; every seventh is a thread
    /// body, so the gates are not simply the first maxGates entries.
    func heldList(_ count: Int) -> [HeldContext] {
        (0..<count).map { (i: Int) -> HeldContext in
            let flags: UInt32 = i % 7 == 3 ? HeldContext.threadFlag : 0
            let addr = UInt(0x1000 + 64 * i)
            return HeldContext(cls: UInt32(100 + i), inst: UInt32(1000 + i), stack: UInt32(i), flags: flags, addr: addr)
        }
    }

    func windowed(_ held: [HeldContext], flags: UInt32) -> [HeldContext] {
        let (leading, trailingStart) = DependencyGraph.heldWindow(count: held.count, wait: flags) {
            held[$0].isThreadBody
        }
        return Array(held[0..<leading]) + Array(held[max(leading, trailingStart)...])
    }

    /// Every edge with its witnesses' threads, contexts, waits and gates.
    func recorded(_ g: DependencyGraph) -> [String] {
        g.edges.map { e in
            "\(e.from)->\(e.to): " + e.witnesses.map { "\($0.from.inst)/\($0.wait.inst)/\($0.gates)" }.joined(separator: ",")
        }.sorted()
    }

    func assertSameGraph(held count: Int, flags: UInt32 = 0, waitInst: UInt32 = 9,
                         file: StaticString = #filePath, line: UInt = #line) {
        let held = heldList(count)
        let wait = WaitPoint(cls: 99, inst: waitInst, flags: flags)
        var full = DependencyGraph(), window = DependencyGraph()
        _ = full.addWait(thread: 2, held: held, wait: wait)
        _ = window.addWait(thread: 2, held: windowed(held, flags: flags), wait: wait)
        XCTAssertFalse(full.edges.isEmpty, file: file, line: line)
        let a = recorded(window), b = recorded(full)
        let differ = zip(a, b).first { $0 != $1 }
        XCTAssertTrue(a.count == b.count && differ == nil,
                      "held \(count): \(a.count) edges against \(b.count); first difference \(String(describing: differ))",
                      file: file, line: line)
    }

    func testAThousandHeldGiveTheSameDependenciesAndGates() {
        let (leading, trailingStart) = DependencyGraph.heldWindow(count: 1000, wait: 0) { $0 % 7 == 3 }
        XCTAssertLessThan(leading + 1000 - trailingStart, 60, "the window is small")
        assertSameGraph(held: 1000)
    }

    func testShortListsAndTheBoundariesAreWhole() {
        for n in [1, 2, 15, 16, 17, 18, 19, 31, 32, 33, 47, 48, 49, 50, 64, 100] { assertSameGraph(held: n) }
    }

    /// An owner's re-lock of a recursive or error-checking mutex is found
    /// anywhere in the held list: such a wait gets all of it.
    func testAnOwnersRelockIsFoundInTheMiddle() {
        let held = heldList(200)
        for flags in [WaitPoint.recursiveFlag, WaitPoint.errorcheckFlag] {
            let (leading, _) = DependencyGraph.heldWindow(count: 200, wait: flags) { held[$0].isThreadBody }
            XCTAssertEqual(leading, 200)
            var g = DependencyGraph()
            let relock = WaitPoint(cls: held[100].cls, inst: held[100].inst, flags: flags)
            _ = g.addWait(thread: 2, held: windowed(held, flags: flags), wait: relock)
            XCTAssertTrue(g.edges.isEmpty, "a re-lock by its owner does not wait")
        }
    }
}
