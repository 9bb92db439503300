// `dept report` re-renders the files of a `dept run` directory: DOT that
// Graphviz parses, SARIF that validates against the official SARIF 2.1.0
// schema, JSON that validates against docs/report-schema.json, and the same
// text summary as the run.

import Foundation
import XCTest

final class CLIReportTests: XCTestCase {
    /// One `dept run` over the three programs, shared by the tests of this
    /// class: its log directory and its JSON summary.
    struct Stored { var logs: URL; var summary: URL; var sarif: URL; var run: ProcResult }
    private static var stored: Stored?
    private static let lock = NSLock()

    func storedRun() throws -> Stored {
        Self.lock.lock(); defer { Self.lock.unlock() }
        if let s = Self.stored { return s }
        try requireBuild()
        let bin = try ProgramCache.shared.threePrograms()
        let warn = try ProgramCache.shared.fixture("exit_holding_lock")
        let dir = try CLIPaths.tempDir("stored")
        let logs = dir.appendingPathComponent("logs"), summary = dir.appendingPathComponent("summary.json")
        let script = CLIPaths.fixtures.appendingPathComponent("three_programs.sh").path
        // The three programs, then one that only warns.
        let r = try dept(["run", "--log-dir", logs.path, "--format", "json", "--output", summary.path, "--",
                          "/bin/sh", "-c", "/bin/sh \"$0\" \"$1\"; \"$2\"", script, bin.path, warn.path])
        guard r.exited && r.status == 66 else {
            XCTFail("the stored run failed\n\(r.transcript)")
            throw CLIError("stored run failed")
        }
        let sarif = dir.appendingPathComponent("run.sarif")
        let r2 = try dept(["run", "--format", "sarif", "--output", sarif.path, "--", "/bin/sh", script, bin.path])
        XCTAssertTrue(r2.exited && r2.status == 66, r2.transcript)
        let s = Stored(logs: logs, summary: summary, sarif: sarif, run: r)
        Self.stored = s
        return s
    }

    func testDotOutputParsesWithGraphviz() throws {
        let s = try storedRun()
        let r = try dept(["report", s.logs.path, "--format", "dot"])
        XCTAssertTrue(r.exited && r.status == 0, r.transcript)
        let dot = r.stdout
        XCTAssertTrue(dot.hasPrefix("digraph dept {"), dot)
        XCTAssertEqual(dot.components(separatedBy: "subgraph cluster_r").count - 1, 2 + 4, "a cluster per report and per context\n\(dot)")
        for needle in ["[S] pthread_mutex_lock(A)", "[W] pthread_mutex_lock(B)", "[E] pthread_mutex_unlock(A)",
                       "[S] pthread_mutex_lock(fork_left)", "waits for fork_abba.c:", "-> r0_c1_E", "-> r0_c0_E"] {
            XCTAssertTrue(dot.contains(needle), "DOT contains \(needle)\n\(dot)")
        }
        guard let dotTool = CLIPaths.which("dot") else {
            return XCTFail("Graphviz's `dot` is not installed: Scripts/deps installs graphviz")
        }
        let dir = try CLIPaths.tempDir("dot")
        let dotFile = dir.appendingPathComponent("cycles.dot")
        try dot.write(to: dotFile, atomically: true, encoding: .utf8)
        let svg = try runProcess(dotTool, ["-Tsvg", dotFile.path])
        XCTAssertTrue(svg.exited && svg.status == 0 && svg.stderr.isEmpty, "dot -Tsvg parses the output\n\(svg.transcript)")
        XCTAssertTrue(svg.stdout.contains("<svg"), svg.transcript)

        // --svg renders it directly.
        let out = dir.appendingPathComponent("cycles.svg")
        let r2 = try dept(["report", s.logs.path, "--svg", out.path])
        XCTAssertTrue(r2.exited && r2.status == 0 && r2.stdout.isEmpty, r2.transcript)
        let svgText = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        XCTAssertTrue(svgText.contains("<svg") && svgText.contains("fork_left"), svgText)

        // Without Graphviz: a clear error.
        let r3 = try dept(["report", s.logs.path, "--svg", dir.appendingPathComponent("x.svg").path],
                          env: cleanEnvironment(["PATH": "/nonexistent"]))
        XCTAssertTrue(r3.exited && r3.status == 2 && r3.stderr.contains("Graphviz") && r3.stderr.contains("dot"), r3.transcript)
    }

    func testSARIFValidatesAgainstTheSARIF210Schema() throws {
        let s = try storedRun()
        let dir = try CLIPaths.tempDir("sarif")
        let out = dir.appendingPathComponent("report.sarif")
        let r = try dept(["report", s.logs.path, "--format", "sarif", "--output", out.path], cwd: CLIPaths.packageRoot)
        XCTAssertTrue(r.exited && r.status == 0, r.transcript)
        let problems = try validateWithJSONSchema(schema: CLIPaths.sarifSchema, instances: [out, s.sarif])
        XCTAssertEqual(problems, [], "SARIF output must validate against the SARIF 2.1.0 schema")

        // One result per distinct report, the key as partial fingerprint,
        // a related location for every [S]/[W]/[E].
        let log = try jsonObject(String(contentsOf: out, encoding: .utf8)) as? [String: Any]
        XCTAssertEqual(log?["version"] as? String, "2.1.0")
        let run = (log?["runs"] as? [Any])?.first as? [String: Any]
        // The tool: its version and a real informationUri (dept's README).
        let driver = (run?["tool"] as? [String: Any])?["driver"] as? [String: Any]
        XCTAssertNotNil(driver?["version"] as? String)
        let info = driver?["informationUri"] as? String ?? ""
        XCTAssertTrue(info.hasPrefix("file://") && info.hasSuffix("/README.md"), info)
        XCTAssertTrue(FileManager.default.fileExists(atPath: URL(string: info)?.path ?? "/nonexistent"), info)
        let results = (run?["results"] as? [Any])?.compactMap { $0 as? [String: Any] } ?? []
        XCTAssertEqual(results.count, 2)
        let summary = reports(in: try jsonObject(String(contentsOf: s.summary, encoding: .utf8)))
        let keys = Set(summary.compactMap { $0["key"] as? String })
        let fingerprints = Set(results.compactMap { ($0["partialFingerprints"] as? [String: Any])?["deptKey/v1"] as? String })
        XCTAssertEqual(fingerprints, keys)
        for res in results {
            XCTAssertEqual((res["relatedLocations"] as? [Any])?.count, 6, "2 contexts x [S][W][E]")
            XCTAssertNotNil((res["properties"] as? [String: Any])?["appearedIn"])
        }
        // Sources inside the checkout are relative to %SRCROOT%.
        let text = try String(contentsOf: out, encoding: .utf8)
        XCTAssertTrue(text.contains("\"Examples/abba.c\"") && text.contains("%SRCROOT%"), text)
        // Every location is the user's code, never libc's thread start.
        XCTAssertFalse(text.contains("pthread_create.c") || text.contains("clone3"), text)
    }

    func testJSONReportsValidateAgainstTheDocumentedSchema() throws {
        let s = try storedRun()
        // The library's own files: one object per line, reports and warnings.
        let files = try FileManager.default.contentsOfDirectory(at: s.logs, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("report.") }
        let all = try files.map { try String(contentsOf: $0, encoding: .utf8) }.joined()
        XCTAssertTrue(all.contains("\"kind\":\"potential\""), all)
        XCTAssertTrue(all.contains("\"kind\":\"warning\""), "exit_holding_lock warns\n\(all)")
        XCTAssertEqual(try validateWithJSONSchema(schema: CLIPaths.reportSchema, instances: files, eachLine: true), [])
        // dept run --format json and dept report --format json: arrays of them.
        let dir = try CLIPaths.tempDir("json")
        let again = dir.appendingPathComponent("again.json")
        let r = try dept(["report", s.logs.path, "--format", "json", "--output", again.path])
        XCTAssertTrue(r.exited && r.status == 0, r.transcript)
        XCTAssertEqual(try validateWithJSONSchema(schema: CLIPaths.reportSchema, instances: [s.summary, again], arrayElements: true), [])
        // Re-reading the summary array gives the same reports.
        let fromArray = try dept(["report", s.summary.path, "--format", "json"])
        XCTAssertEqual(reports(in: try jsonObject(fromArray.stdout)).compactMap { $0["key"] as? String },
                       reports(in: try jsonObject(String(contentsOf: again, encoding: .utf8))).compactMap { $0["key"] as? String })
    }

    func testTextReportOfARunDirectoryMatchesTheRun() throws {
        let s = try storedRun()
        let r = try dept(["report", s.logs.path])
        XCTAssertTrue(r.exited && r.status == 0, r.transcript)
        let pids = ThreeProgramPids(s.run.stdout)
        XCTAssertTrue(r.stdout.contains("appeared in 1 process(es): pid \(pids.byName["abba"] ?? -1) (abba)"), r.transcript)
        XCTAssertTrue(r.stdout.contains("DEPT: warning: "), r.transcript)
        XCTAssertTrue(r.stdout.contains("exited while holding 1 lock(s)"), r.transcript)
        let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.hasPrefix("dept: 2 distinct deadlock report(s) in 2 process(es), 1 distinct warning(s) ("), last)

        // Suppressions apply to stored reports too.
        let dir = try CLIPaths.tempDir("rsupp")
        let sup = dir.appendingPathComponent("s.supp")
        try "deadlock:abba.c\n".write(to: sup, atomically: true, encoding: .utf8)
        let r2 = try dept(["report", s.logs.path, "--suppressions", sup.path])
        XCTAssertFalse(r2.stdout.contains("pthread_mutex_lock(A)"), r2.transcript)
        XCTAssertTrue(r2.stdout.contains("pthread_mutex_lock(fork_left)"), r2.transcript)

        let missing = try dept(["report", dir.appendingPathComponent("nothing-here").path])
        XCTAssertTrue(missing.exited && missing.status == 2 && missing.stderr.contains("nothing-here"), missing.transcript)
    }

    /// `"kind": "info"` records (held-back cycles under `verbosity=2`, which
    /// `dept run` sets, and cycles through a timed wait) are shown but are
    /// no warnings: the verdict counts only the warning, and the JSON
    /// summary keeps their kind.
    func testInfoRecordsAreNoWarnings() throws {
        try requireBuild()
        let dir = try CLIPaths.tempDir("info")
        func record(_ kind: String, _ message: String) -> String {
            "{\"schema\":\"dept-report\",\"version\":1,\"kind\":\"\(kind)\",\"pid\":4242,\"message\":\"\(message)\",\"stack\":[],\"text\":\"DEPT: \(kind): \(message)\\n\"}\n"
        }
        try (record("info", "not reported (happens-before): T1 (main thread) inside L waits for T2; T2 inside T2 waits for L: returned before")
             + record("info", "not reported (token ring): T2 inside slots waits for items; T3 inside items waits for slots: a ring")
             + record("warning", "thread T2 tid 4243 exited while holding 1 lock(s): R"))
            .write(to: dir.appendingPathComponent("report.4242"), atomically: true, encoding: .utf8)
        let r = try dept(["report", dir.path])
        XCTAssertTrue(r.exited && r.status == 0, r.transcript)
        XCTAssertTrue(r.stdout.contains("DEPT: info: not reported (token ring)"), "info lines are still shown\n\(r.transcript)")
        let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.hasPrefix("dept: no deadlock report, 1 distinct warning(s)"), r.transcript)
        let j = try dept(["report", dir.path, "--format", "json"])
        XCTAssertTrue(j.exited && j.status == 0, j.transcript)
        let kinds = ((try jsonObject(j.stdout)) as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        XCTAssertEqual(kinds.sorted(), ["info", "info", "warning"], j.transcript)
    }
}
