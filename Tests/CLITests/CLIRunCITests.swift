// `dept run` in CI (issue 14): the program's stdout stays the program's,
// potential reports do not stop `make -j2`, reports stream while the
// command runs and end in an index, processes are grouped and the ones
// that crashed or hung named, hang keys hold across copies, suppressions
// files shared with TSan work, --gen-suppressions, `dept report` refuses
// what is not a report, usage errors exit 64.

import Foundation
import XCTest

final class CLIRunCITests: XCTestCase {

    /// The JSON or SARIF summary never lands in the program's stdout.
    func testSummariesStayOutOfTheProgramsStdout() throws {
        try requireBuild()
        let abba = try ProgramCache.shared.example("abba")
        for format in ["json", "sarif", "text"] {
            let r = try dept(["run", "--format", format, "--", "/bin/sh", "-c", "\"$0\"; echo program-line", abba.path])
            XCTAssertTrue(r.exited && r.status == 66, r.transcript)
            XCTAssertEqual(r.stdout, "abba: done\nprogram-line\n", "\(format): stdout is the program's only\n\(r.transcript)")
            if format != "text" {
                // The document is on stderr, after the streamed text is not.
                let start = r.stderr.firstIndex(of: format == "json" ? "[" : "{")
                XCTAssertNotNil(start, r.transcript)
                let doc = String(r.stderr[start!...]).components(separatedBy: "\ndept: ").first ?? ""
                XCTAssertNoThrow(try jsonObject(doc), "\(format) on stderr parses\n\(r.transcript)")
            }
        }
    }

    /// A potential report does not change the exit status of the process
    /// that found it (make would stop); the run's own status says it; the
    /// library's default comes back with --option fail_on_potential=1.
    func testPotentialReportsDoNotFailTheChild() throws {
        try requireBuild()
        let abba = try ProgramCache.shared.example("abba")
        let script = "\"$0\" >/dev/null; echo \"status=$?\""
        let r = try dept(["run", "--", "/bin/sh", "-c", script, abba.path])
        XCTAssertTrue(r.stdout.contains("status=0"), r.transcript)
        XCTAssertTrue(r.exited && r.status == 66, "the run itself fails\n\(r.transcript)")
        let strict = try dept(["run", "--option", "fail_on_potential=1", "--", "/bin/sh", "-c", script, abba.path])
        XCTAssertTrue(strict.stdout.contains("status=66"), strict.transcript)

        guard let make = CLIPaths.which("make") else { return }
        let dir = try CLIPaths.tempDir("make")
        let makefile = "all: one two\none:\n\t\(abba.path) >/dev/null\n\ttouch one\ntwo:\n\t\(abba.path) >/dev/null\n\ttouch two\n"
        try makefile.write(to: dir.appendingPathComponent("Makefile"), atomically: true, encoding: .utf8)
        let m = try dept(["run", "--", make, "-j2", "-C", dir.path])
        XCTAssertTrue(m.exited && m.status == 66, m.transcript)
        for target in ["one", "two"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(target).path),
                          "make built \(target): the first report did not stop it\n\(m.transcript)")
        }
        XCTAssertEqual(m.stderr.components(separatedBy: "DEPT: potential deadlock:").count - 1, 1, "one distinct report\n\(m.transcript)")
    }

    /// Each distinct report is printed once, while the command still runs,
    /// and the summary ends with one index line per report and the verdict.
    func testReportsStreamWhileTheCommandRuns() throws {
        try requireBuild()
        let abba = try ProgramCache.shared.example("abba")
        let dir = try CLIPaths.tempDir("stream")
        let out = dir.appendingPathComponent("dept.txt")
        // After the first abba, wait (at most 30 s) until the report is in
        // dept's output file, then run abba once more.
        let script = """
        "$0" >/dev/null
        i=0
        while [ $i -lt 300 ]; do
          if grep -q "SUMMARY: DEPT" "$1"; then echo streamed; break; fi
          sleep 0.1; i=$((i+1))
        done
        "$0" >/dev/null
        """
        let r = try dept(["run", "--output", out.path, "--", "/bin/sh", "-c", script, abba.path, out.path])
        XCTAssertTrue(r.stdout.contains("streamed"), "the report was printed before the command ended\n\(r.transcript)")
        let text = try String(contentsOf: out, encoding: .utf8)
        XCTAssertEqual(text.components(separatedBy: "DEPT: potential deadlock: circular dependency").count - 1, 1, text)
        let lines = text.split(separator: "\n").map(String.init)
        let index = lines.firstIndex(of: "dept: reports:")
        XCTAssertNotNil(index, text)
        if let i = index {
            XCTAssertTrue(lines[i + 1].hasPrefix("  1. potential deadlock abba.c:"), lines[i + 1])
            XCTAssertTrue(lines[i + 1].contains("appeared in 2 process(es)"), lines[i + 1])
        }
        XCTAssertTrue(lines.last?.hasPrefix("dept: 1 distinct deadlock report(s) in 2 process(es)") ?? false, text)
    }

    /// Processes are grouped by program with a command line, long pid lists
    /// are cut, and the processes that hung or ended without an exit are
    /// named.
    func testProcessesGroupedAndAbnormalEndsNamed() throws {
        try requireBuild()
        let clean = try ProgramCache.shared.example("consistent_order")
        let hang = try ProgramCache.shared.example("hang_eventfd_pair")
        let script = """
        i=0; while [ $i -lt 9 ]; do "$0" --quick >/dev/null; i=$((i+1)); done
        "$1" >/dev/null
        /bin/sh -c 'kill -SEGV $$'
        exit 0
        """
        let r = try dept(["run", "--hang-ms", "300", "--", "/bin/sh", "-c", script, clean.path, hang.path])
        XCTAssertTrue(r.exited && r.status == 66, r.transcript)
        let err = r.stderr
        XCTAssertTrue(err.contains("dept: processes that ran:"), r.transcript)
        XCTAssertNotNil(err.range(of: #"  consistent_order \(9\): pids [0-9, ]+ and 3 more; e\.g\. \S*consistent_order --quick"#,
                                  options: .regularExpression), r.transcript)
        XCTAssertNotNil(err.range(of: #"hang_eventfd_pair\) hung"#, options: .regularExpression), r.transcript)
        XCTAssertNotNil(err.range(of: #"\(/bin/sh -c kill -SEGV \$\$\) ended without an exit"#, options: .regularExpression), r.transcript)
        XCTAssertFalse(err.contains("consistent_order --quick) ended without an exit"), r.transcript)
    }

    /// Six copies of one two-thread hang are one distinct report (the key
    /// does not depend on the order the blocked threads are found in).
    func testOneHangInSixProcessesIsOneReport() throws {
        try requireBuild()
        let hang = try ProgramCache.shared.example("hang_eventfd_pair")
        let script = "for i in 1 2 3 4 5 6; do \"$0\" >/dev/null & done; wait; exit 0"
        let r = try dept(["run", "--hang-ms", "300", "--", "/bin/sh", "-c", script, hang.path])
        XCTAssertTrue(r.stderr.contains("dept: 1 distinct deadlock report(s) in 6 process(es)"), r.transcript)
    }

    /// One inversion closed through three classes is one report in `dept
    /// run` too: each process writes every cycle as JSON with its family,
    /// and the summary keeps one per family, counting the others. Two other
    /// inversions, waiting elsewhere, stay reports of their own.
    func testCyclesAtTheSameWaitsAreOneReport() throws {
        try requireBuild()
        let bin = try ProgramCache.shared.example("services_disposed_under_manager")
        let dir = try CLIPaths.tempDir("families")
        let script = "\"$0\" && SERVICES_LOCK_PAIRS=1 \"$0\""
        let r = try dept(["run", "--log-dir", dir.path, "--", "/bin/sh", "-c", script, bin.path])
        XCTAssertTrue(r.exited && r.status == 66, r.transcript)
        XCTAssertEqual(r.stderr.components(separatedBy: "DEPT: potential deadlock: circular dependency").count - 1, 3,
                       "the services' family once, the two lock pairs once each\n\(r.transcript)")
        XCTAssertTrue(r.stderr.contains(" and 2 more at the same waits]: appeared in 2 process(es)"), r.transcript)
        XCTAssertTrue(r.stderr.contains("dept: 3 distinct deadlock report(s) in 2 process(es)"), r.transcript)
        // `dept report` shows the family's report with a line for each other cycle and its classes.
        let again = try dept(["report", dir.path])
        let lines = again.stdout.split(separator: "\n").map(String.init)
        guard let at = lines.firstIndex(of: "also at the same waits, through other classes: 2 more cycles") else {
            return XCTFail(again.transcript)
        }
        let others = lines[(at + 1)...].prefix(2)
        XCTAssertEqual(others.filter { $0.hasPrefix("  key ") && $0.contains(": T1 takes first-use@services_disposed_under_manager.c:") }.count,
                       2, again.transcript)
        // The files keep every cycle as data: the services' three share a family.
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("report.") }
        var families: [String: Set<String>] = [:]
        for f in files {
            for line in try String(contentsOf: f, encoding: .utf8).split(separator: "\n") where line.hasPrefix("{") {
                guard let o = try jsonObject(String(line)) as? [String: Any], o["kind"] as? String == "potential",
                      let family = o["family"] as? String, let key = o["key"] as? String else { continue }
                families[family, default: []].insert(key)
            }
        }
        XCTAssertEqual(families.values.map(\.count).sorted(), [1, 1, 3], "\(families)")
    }

    /// A suppressions file shared with TSan: its other kinds are skipped
    /// with one note; a bad line is warned about once, not once per process.
    func testSharedSuppressionsFileNotesOnce() throws {
        try requireBuild()
        let bin = try ProgramCache.shared.threePrograms()
        let dir = try CLIPaths.tempDir("shared-supp")
        let sup = dir.appendingPathComponent("tsan.supp")
        try "race:foo\nmutex:bar\nsignal:baz\ndeadlock:ctx_y\nnot a rule\n".write(to: sup, atomically: true, encoding: .utf8)
        let script = CLIPaths.fixtures.appendingPathComponent("three_programs.sh").path
        let r = try dept(["run", "--suppressions", sup.path, "--", "/bin/sh", script, bin.path])
        XCTAssertEqual(r.stderr.components(separatedBy: "skipped 3 line(s) of other sanitizers' kinds").count - 1, 1, r.transcript)
        XCTAssertEqual(r.stderr.components(separatedBy: "not a suppression").count - 1, 1, r.transcript)
        XCTAssertFalse(r.stderr.contains("pthread_mutex_lock(A)"), "deadlock:ctx_y matched\n\(r.transcript)")
        XCTAssertFalse(r.stderr.contains("DEPT: warning: info"), r.transcript)
    }

    /// --gen-suppressions writes a line per distinct report that, passed
    /// back, suppresses it.
    func testGenSuppressionsRoundTrip() throws {
        try requireBuild()
        let abba = try ProgramCache.shared.example("abba")
        let dir = try CLIPaths.tempDir("gen")
        let file = dir.appendingPathComponent("gen.supp")
        let r = try dept(["run", "--gen-suppressions", file.path, "--", abba.path])
        XCTAssertTrue(r.exited && r.status == 66, r.transcript)
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(text.split(separator: "\n").contains("deadlock:ctx_y"), text)
        XCTAssertTrue(r.stderr.contains("to suppress: deadlock:ctx_y"), "each report ends with its line\n\(r.transcript)")
        let again = try dept(["run", "--suppressions", file.path, "--", abba.path])
        XCTAssertTrue(again.exited && again.status == 0, again.transcript)

        let logs = dir.appendingPathComponent("logs")
        _ = try dept(["run", "--log-dir", logs.path, "--", abba.path])
        let file2 = dir.appendingPathComponent("gen2.supp")
        let rep = try dept(["report", logs.path, "--gen-suppressions", file2.path])
        XCTAssertTrue(rep.exited && rep.status == 0 && rep.stdout.isEmpty, rep.transcript)
        XCTAssertEqual(try String(contentsOf: file2, encoding: .utf8), text)
    }

    /// `dept report` on a file that is not a dept report fails (status 2)
    /// instead of echoing it; a foreign file inside a directory is skipped.
    func testReportRefusesWhatIsNotAReport() throws {
        try requireBuild()
        let dir = try CLIPaths.tempDir("notreport")
        let text = dir.appendingPathComponent("notes.txt")
        try "hello\nworld\n".write(to: text, atomically: true, encoding: .utf8)
        let json = dir.appendingPathComponent("package.json")
        try "{\"name\": \"x\"}\n".write(to: json, atomically: true, encoding: .utf8)
        for f in [text, json] {
            let r = try dept(["report", f.path])
            XCTAssertTrue(r.exited && r.status == 2, r.transcript)
            XCTAssertTrue(r.stderr.contains("is not a dept report"), r.transcript)
            XCTAssertFalse(r.stdout.contains("hello") || r.stdout.contains("\"name\""), r.transcript)
        }
        let abba = try ProgramCache.shared.example("abba")
        let logs = dir.appendingPathComponent("logs")
        _ = try dept(["run", "--log-dir", logs.path, "--", abba.path])
        try FileManager.default.copyItem(at: json, to: logs.appendingPathComponent("package.json"))
        let r = try dept(["report", logs.path])
        XCTAssertTrue(r.exited && r.status == 0, r.transcript)
        XCTAssertTrue(r.stdout.contains("DEPT: potential deadlock"), r.transcript)
        XCTAssertTrue(r.stderr.contains("skipped"), r.transcript)
    }

    /// A usage error exits 64 (EX_USAGE), as --help says.
    func testUsageErrorsExit64() throws {
        try requireBuild()
        for args in [["run", "--hang-ms", "0", "--", "/bin/true"], ["run", "--no-such-option", "--", "/bin/true"], ["report"]] {
            let r = try dept(args)
            XCTAssertTrue(r.exited && r.status == 64, "\(args)\n\(r.transcript)")
        }
        let help = try dept(["--help"])
        XCTAssertTrue(help.stdout.contains("64"), help.transcript)
    }

    /// Unknown DEPT_OPTIONS keys name the nearest known one, once.
    func testUnknownOptionSuggestsOnce() throws {
        try requireBuild()
        let r = try dept(["run", "--option", "hang_sm=300", "--", "/bin/sh", "-c", "/bin/true; /bin/true"])
        XCTAssertEqual(r.stderr.components(separatedBy: "did you mean 'hang_ms'?").count - 1, 1, r.transcript)
    }
}
