import XCTest
import Foundation
@testable import DeptCore

/// JSON (schema dept-report) and SARIF 2.1.0 renderings: valid JSON that
/// carries everything of the text report.
final class JSONReportTests: XCTestCase {

    static let nasty = "we\"ird\\name\n\ttab\r\u{1}\u{1f}é✓"

    static func report(object: String = "lock_a") -> Report {
        let f1 = Frame(pc: 0x401234, module: "/usr/bin/app", offset: 0x1234, function: "main",
                       file: "/src/app/main.c", line: 12)
        let f2 = Frame(pc: 0x402000, module: "/usr/bin/app", offset: 0x2000, function: nil, file: nil, line: 0)
        let t2 = ThreadRef(tid: 2, osTid: 1002, name: "wor\"ker", createdAt: [f1])
        let t1 = ThreadRef(tid: 1, osTid: 1001, name: nil, createdAt: [])
        let a = Context(label: "A", thread: t2,
                        start: Point(operation: "pthread_mutex_lock", object: object, instance: 101, stack: [f1, f2]),
                        wait: Point(operation: "pthread_mutex_lock", object: "lock_b", instance: 201, stack: [f1]),
                        event: Point(operation: "pthread_mutex_unlock", object: object, instance: 101, stack: []))
        let b = Context(label: "B", thread: t1,
                        start: Point(operation: "pthread_mutex_lock", object: "lock_b", instance: 201, stack: [f2]),
                        wait: Point(operation: "pthread_mutex_lock", object: object, instance: 101, stack: [f1]),
                        event: Point(operation: "pthread_mutex_unlock", object: "lock_b", instance: 201, stack: [f2]))
        var r = Report(kind: .potential, pid: 4242, contexts: [a, b], key: "0123456789abcdef", summaryFrame: f1)
        r.modules = [Module(path: "/usr/bin/app", base: 0x400000, end: 0x500000, buildID: "b1d")]
        return r
    }

    static func parse(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> [String: Any] {
        guard let data = s.data(using: .utf8) else { XCTFail("not UTF-8", file: file, line: line); return [:] }
        do {
            guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                XCTFail("not a JSON object", file: file, line: line); return [:]
            }
            return o
        } catch {
            XCTFail("invalid JSON: \(error)\n\(s)", file: file, line: line)
            return [:]
        }
    }

    /// Rule: the JSON report parses and has schema, version, kind, pid, key,
    /// contexts (with [S]/[W]/[E] stacks), blocked, summary and modules.
    func testJSONReportParsesWithEveryField() {
        let r = Self.report()
        let text = TextReport.render(r)
        let s = JSONReport.render(r, text: text)
        XCTAssertFalse(s.contains("\n"), "one report per line")
        let o = Self.parse(s)
        XCTAssertEqual(o["schema"] as? String, "dept-report")
        XCTAssertEqual(o["version"] as? Int, JSONReport.schemaVersion)
        XCTAssertEqual(o["kind"] as? String, "potential")
        XCTAssertEqual(o["pid"] as? Int, 4242)
        XCTAssertEqual(o["key"] as? String, "0123456789abcdef")
        XCTAssertEqual(o["headline"] as? String, r.headline)
        XCTAssertEqual(o["text"] as? String, text)
        XCTAssertNotNil(o["blocked"] as? [Any])

        let contexts = o["contexts"] as? [[String: Any]] ?? []
        XCTAssertEqual(contexts.count, 2)
        XCTAssertEqual(contexts.first?["label"] as? String, "A")
        let thread = contexts.first?["thread"] as? [String: Any]
        XCTAssertEqual(thread?["id"] as? Int, 2)
        XCTAssertEqual(thread?["os_tid"] as? Int, 1002)
        XCTAssertEqual(thread?["name"] as? String, "wor\"ker")
        XCTAssertEqual((thread?["created_at"] as? [Any])?.count, 1)
        XCTAssertTrue((contexts.last?["thread"] as? [String: Any])?["name"] is NSNull)

        let start = contexts.first?["start"] as? [String: Any]
        XCTAssertEqual(start?["operation"] as? String, "pthread_mutex_lock")
        XCTAssertEqual(start?["object"] as? String, "lock_a")
        XCTAssertEqual(start?["instance"] as? Int, 101)
        XCTAssertEqual(start?["text"] as? String, "pthread_mutex_lock(lock_a)")
        for k in ["start", "wait", "event"] { XCTAssertNotNil(contexts.first?[k] as? [String: Any], k) }

        let summary = o["summary"] as? [String: Any]
        XCTAssertEqual(summary?["kind"] as? String, "potential deadlock")
        XCTAssertEqual(summary?["location"] as? String, "main.c:12")
        XCTAssertEqual(summary?["function"] as? String, "main")

        let modules = o["modules"] as? [[String: Any]] ?? []
        XCTAssertEqual(modules.count, 1)
        XCTAssertEqual(modules.first?["path"] as? String, "/usr/bin/app")
        XCTAssertEqual(modules.first?["base"] as? String, "0x400000")
        XCTAssertEqual(modules.first?["end"] as? String, "0x500000")
        XCTAssertEqual(modules.first?["build_id"] as? String, "b1d")
    }

    /// Rule (DESIGN §6): stacks are carried as raw addresses plus module
    /// offsets plus symbolized frames (nulls where unknown).
    func testJSONStacksCarryRawAddressesAndFrames() {
        let o = Self.parse(JSONReport.render(Self.report(), text: ""))
        let contexts = o["contexts"] as? [[String: Any]] ?? []
        let start = contexts.first?["start"] as? [String: Any]
        let stack = start?["stack"] as? [[String: Any]] ?? []
        XCTAssertEqual(stack.count, 2)
        guard stack.count == 2 else { return }
        XCTAssertEqual(stack[0]["pc"] as? String, "0x401234")
        XCTAssertEqual(stack[0]["module"] as? String, "/usr/bin/app")
        XCTAssertEqual(stack[0]["offset"] as? String, "0x1234")
        XCTAssertEqual(stack[0]["function"] as? String, "main")
        XCTAssertEqual(stack[0]["file"] as? String, "/src/app/main.c")
        XCTAssertEqual(stack[0]["line"] as? Int, 12)
        XCTAssertEqual(stack[1]["pc"] as? String, "0x402000")
        XCTAssertTrue(stack[1]["function"] is NSNull)
        XCTAssertTrue(stack[1]["file"] is NSNull)
        let event = contexts.first?["event"] as? [String: Any]
        XCTAssertEqual((event?["stack"] as? [Any])?.count, 0)
    }

    /// Rule: quotes, backslashes, newlines, tabs and other control
    /// characters are escaped; non-ASCII passes through; values round-trip.
    func testJSONEscaping() {
        XCTAssertEqual(JSONReport.str("a\"b"), "\"a\\\"b\"")
        XCTAssertEqual(JSONReport.str("a\\b"), "\"a\\\\b\"")
        XCTAssertEqual(JSONReport.str("a\nb\rc\td"), "\"a\\nb\\rc\\td\"")
        XCTAssertEqual(JSONReport.str("\u{1}\u{1f}"), "\"\\u0001\\u001f\"")
        XCTAssertEqual(JSONReport.str("é✓"), "\"é✓\"")

        let r = Self.report(object: Self.nasty)
        let text = TextReport.render(r)
        let o = Self.parse(JSONReport.render(r, text: text))
        let contexts = o["contexts"] as? [[String: Any]] ?? []
        XCTAssertEqual((contexts.first?["start"] as? [String: Any])?["object"] as? String, Self.nasty)
        XCTAssertEqual(o["text"] as? String, text)
    }

    /// Rule: live reports carry blocked threads and hang_ms; a report without
    /// summary frame has null location.
    func testJSONHangReport() {
        var r = Report(kind: .hang, pid: 9, contexts: [], key: "k", summaryFrame: nil)
        r.hangMs = 1234
        r.blocked = [BlockedThread(thread: ThreadRef(tid: 1, osTid: 9, name: nil, createdAt: []),
                                   waitsFor: Point(operation: "sem_wait", object: "s\"em", stack: []),
                                   detail: "line1\nline2", blockedMs: 1300)]
        let o = Self.parse(JSONReport.render(r, text: TextReport.render(r)))
        XCTAssertEqual(o["kind"] as? String, "hang")
        XCTAssertEqual(o["hang_ms"] as? Int, 1234)
        let blocked = o["blocked"] as? [[String: Any]] ?? []
        XCTAssertEqual(blocked.count, 1)
        XCTAssertEqual(blocked.first?["detail"] as? String, "line1\nline2")
        XCTAssertEqual(blocked.first?["blocked_ms"] as? Int, 1300)
        XCTAssertEqual((blocked.first?["waits_for"] as? [String: Any])?["object"] as? String, "s\"em")
        let summary = o["summary"] as? [String: Any]
        XCTAssertEqual(summary?["kind"] as? String, "hang")
        XCTAssertTrue(summary?["location"] is NSNull)
    }

    /// Rule: warnings have their own JSON object, kind "warning".
    func testJSONWarning() {
        let f = Frame(pc: 0x10, module: "m", offset: 0x10, function: "f", file: "a.c", line: 1)
        let o = Self.parse(JSONReport.warning(pid: 5, message: "unlock of \"x\"\n", stack: [f],
                                              text: "DEPT: warning: x\n"))
        XCTAssertEqual(o["schema"] as? String, "dept-report")
        XCTAssertEqual(o["kind"] as? String, "warning")
        XCTAssertEqual(o["pid"] as? Int, 5)
        XCTAssertEqual(o["message"] as? String, "unlock of \"x\"\n")
        XCTAssertEqual((o["stack"] as? [Any])?.count, 1)
    }

    // MARK: SARIF

    /// Rule: SARIF parses, is version 2.1.0, has one result per report with
    /// the dedup key as partial fingerprint, and escapes like the JSON.
    func testSARIFOneResultPerReportWithFingerprint() {
        var r2 = Self.report(object: Self.nasty)
        r2.key = "fedcba9876543210"
        r2.kind = .deadlock
        let reports = [Self.report(), r2]
        let o = Self.parse(SARIFReport.render(reports))
        XCTAssertEqual(o["version"] as? String, "2.1.0")
        XCTAssertNotNil(o["$schema"] as? String)
        let runs = o["runs"] as? [[String: Any]] ?? []
        XCTAssertEqual(runs.count, 1)
        let driver = (runs.first?["tool"] as? [String: Any])?["driver"] as? [String: Any]
        XCTAssertEqual(driver?["name"] as? String, "dept")
        let rules = driver?["rules"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(rules.compactMap { $0["id"] as? String }), ["dept/potential", "dept/deadlock", "dept/hang"])

        let results = runs.first?["results"] as? [[String: Any]] ?? []
        XCTAssertEqual(results.count, 2)
        guard results.count == 2 else { return }
        XCTAssertEqual(results[0]["ruleId"] as? String, "dept/potential")
        XCTAssertEqual(results[1]["ruleId"] as? String, "dept/deadlock")
        for (res, rep) in zip(results, reports) {
            let fp = res["partialFingerprints"] as? [String: Any]
            XCTAssertEqual(fp?["deptKey/v1"] as? String, rep.key)
            XCTAssertEqual((res["message"] as? [String: Any])?["text"] as? String, rep.headline)
            let locs = res["locations"] as? [[String: Any]] ?? []
            XCTAssertEqual(locs.count, 1)
            let phys = locs.first?["physicalLocation"] as? [String: Any]
            XCTAssertEqual((phys?["artifactLocation"] as? [String: Any])?["uri"] as? String, "/src/app/main.c")
            XCTAssertEqual((phys?["region"] as? [String: Any])?["startLine"] as? Int, 12)
            let related = res["relatedLocations"] as? [[String: Any]] ?? []
            // [S]/[W]/[E] of both contexts except the empty [E] stack of A.
            XCTAssertEqual(related.count, 5)
            XCTAssertEqual(related.compactMap { $0["id"] as? Int }, Array(0..<related.count))
        }
        let related1 = results[1]["relatedLocations"] as? [[String: Any]] ?? []
        let msg = (related1.first?["message"] as? [String: Any])?["text"] as? String
        XCTAssertEqual(msg, "context A [S] pthread_mutex_lock(\(Self.nasty))")
    }

    func testSARIFWithoutReportsIsValid() {
        let o = Self.parse(SARIFReport.render([]))
        XCTAssertEqual(o["version"] as? String, "2.1.0")
        let runs = o["runs"] as? [[String: Any]] ?? []
        XCTAssertEqual((runs.first?["results"] as? [Any])?.count, 0)
    }
}
