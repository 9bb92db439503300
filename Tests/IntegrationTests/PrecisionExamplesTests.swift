// The precision rules of issue 12 (README "The model's rules"), each proven
// both ways under the real libdept.so: the false shape stays silent, the
// nearest real deadlock is still reported. Also the recall the same rules
// must keep (same-class instance loops of any length up to 32).

import Foundation
import XCTest

final class PrecisionExamplesTests: XCTestCase {

    /// Examples this file covers (LockExamplesTests checks that every
    /// potential/silent example is covered here or there).
    static let covered: Set<String> = [
        "same_class_both_orders", "same_class_rings",
    ]

    static let timeout: TimeInterval = 60

    /// Runs a `potential` example under the preload; returns its reports.
    @discardableResult
    func potential(_ name: String, events: ClosedRange<Int>?, file: StaticString = #filePath, line: UInt = #line) throws -> [ParsedReport] {
        _ = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        XCTAssertEqual(example.header.expect, .potential, "\(name): header says \(example.header.expect)", file: file, line: line)
        let run = runExample(example, preload: true, timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: events, exitCode: 66, file: file, line: line)
        XCTAssertTrue(run.stdout.contains("\(name): done"), "\(name) did not complete\n\(run.transcript)", file: file, line: line)
        return parseReports(run.stderr, kind: .potential)
    }

    func silent(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        _ = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        XCTAssertEqual(example.header.expect, .silent, "\(name): header says \(example.header.expect)", file: file, line: line)
        let run = runExample(example, preload: true, timeout: Self.timeout)
        assertSilent(run, example: example, file: file, line: line)
        XCTAssertTrue(run.stdout.hasPrefix("\(name): "), "\(name) did not complete\n\(run.transcript)", file: file, line: line)
    }

    // MARK: same-class instance loops (recall)

    /// One thread, two instances of one wrapper-initialised class, both
    /// orders, blocking locks: the memo once mixed the pair symmetrically,
    /// so the second order looked known and never reached the core.
    func test_same_class_both_orders() throws {
        try potential("same_class_both_orders", events: 2...2)
    }

    /// Rings of 5, 13 and 30 instances of one loop-initialised class each:
    /// three loops, found with a bounded search.
    func test_same_class_rings() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("same_class_rings")
        let run = runExample(example, preload: true, timeout: Self.timeout)
        for (n, initFunction) in [(5, "ring5_init"), (13, "ring13_init"), (30, "ring30_init")] {
            assertReport(run, kind: .potential, example: example, objects: [initFunction], events: n...n)
        }
        XCTAssertEqual(parseReports(run.stderr, kind: .potential).count, 3, run.transcript)
        XCTAssertTrue(run.stdout.contains("same_class_rings: done"), run.transcript)
    }
}
