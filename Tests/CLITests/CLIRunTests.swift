// `dept run`: one run over a script that starts three programs (Examples'
// abba and consistent_order, and Tests/Fixtures/fork_abba whose forked child
// has an AB-BA inversion) must find both cycles, attribute each to the right
// process, print one summary and exit non-zero; suppressions, errors, exit
// statuses, the environment and signal forwarding.

import Foundation
import XCTest

final class CLIRunTests: XCTestCase {
    var script: String { CLIPaths.fixtures.appendingPathComponent("three_programs.sh").path }

    /// The AB-BA report of abba (objects A and B) and the one of fork_abba's
    /// child (fork_left, fork_right).
    func split(_ reps: [[String: Any]]) -> (abba: [[String: Any]], fork: [[String: Any]]) {
        (reps.filter { objects($0).isSuperset(of: ["A", "B"]) },
         reps.filter { objects($0).isSuperset(of: ["fork_left", "fork_right"]) })
    }

    func testRunFindsBothCyclesInTheRightProcesses() throws {
        try requireBuild()
        let bin = try ProgramCache.shared.threePrograms()
        let dir = try CLIPaths.tempDir("run-json")
        let out = dir.appendingPathComponent("summary.json")
        let logs = dir.appendingPathComponent("logs")
        let r = try dept(["run", "--format", "json", "--output", out.path, "--log-dir", logs.path, "--", "/bin/sh", script, bin.path])
        XCTAssertFalse(r.timedOut, r.transcript)
        XCTAssertTrue(r.exited && r.status == 66, "expected exit status 66 (a deadlock was reported; the script itself exits 0)\n\(r.transcript)")

        let pids = ThreeProgramPids(r.stdout)
        guard let abbaPid = pids.byName["abba"], let cleanPid = pids.byName["consistent_order"], pids.forkChild > 0 else {
            return XCTFail("the script did not print the pids\n\(r.transcript)")
        }
        XCTAssertEqual(pids.byName["fork_abba"], pids.forkParent, "exec keeps the pid")
        XCTAssertTrue(r.stdout.contains("fork_abba: child exited with 0"),
                      "under dept run a potential report does not change the child's exit status\n\(r.transcript)")

        let summary = try jsonObject(String(contentsOf: out, encoding: .utf8))
        let reps = reports(in: summary)
        XCTAssertEqual(reps.count, 2, "two distinct cycles\n\(summary)")
        let (abba, fork) = split(reps)
        XCTAssertEqual(abba.count, 1, "one report names A and B: \(reps.map(objects))")
        XCTAssertEqual(fork.count, 1, "one report names fork_left and fork_right: \(reps.map(objects))")
        if let a = abba.first {
            XCTAssertEqual(CLITests.pids(a), [abbaPid], "the abba cycle appeared in the abba process only")
            XCTAssertEqual(a["pid"] as? Int, abbaPid)
            XCTAssertTrue(functions(a).isSuperset(of: ["ctx_x", "ctx_y"]), "symbolized: \(functions(a))")
            let exe = ((a["appeared_in"] as? [Any])?.first as? [String: Any])?["executable"] as? String
            XCTAssertEqual(exe.map { URL(fileURLWithPath: $0).lastPathComponent }, "abba")
        }
        if let f = fork.first {
            XCTAssertEqual(CLITests.pids(f), [pids.forkChild], "the fork_abba cycle appeared in the forked child only (parent \(pids.forkParent))")
            XCTAssertTrue(functions(f).isSuperset(of: ["child_left_then_right", "child_right_then_left"]), "\(functions(f))")
        }
        for rep in reps {
            XCTAssertFalse(CLITests.pids(rep).contains(cleanPid), "consistent_order is clean")
            XCTAssertNotEqual(rep["key"] as? String, "", "each report has its dedup key")
        }
        XCTAssertNotEqual(abba.first?["key"] as? String, fork.first?["key"] as? String)

        // The per-process files are kept in --log-dir, one per process.
        let files = try FileManager.default.contentsOfDirectory(atPath: logs.path).filter { $0.hasPrefix("report.") }
        XCTAssertTrue(files.contains("report.\(abbaPid)") && files.contains("report.\(pids.forkChild)"), "\(files)")
        XCTAssertTrue(r.stderr.contains(logs.path), "dept says where the report files are\n\(r.transcript)")
    }

    func testTextSummaryListsEachCycleOnceWithItsProcesses() throws {
        try requireBuild()
        let bin = try ProgramCache.shared.threePrograms()
        let r = try dept(["run", "--", "/bin/sh", script, bin.path])
        XCTAssertTrue(r.exited && r.status == 66, r.transcript)
        let pids = ThreeProgramPids(r.stdout)
        guard let abbaPid = pids.byName["abba"] else { return XCTFail(r.transcript) }
        // Reports and summary on stderr; stdout is the programs'.
        XCTAssertFalse(r.stdout.contains("DEPT:") || r.stdout.contains("dept:"), r.transcript)
        let out = r.stderr
        XCTAssertEqual(out.components(separatedBy: "DEPT: potential deadlock: circular dependency of 2 events").count - 1, 2,
                       "each distinct report once\n\(r.transcript)")
        XCTAssertTrue(out.contains("appeared in 1 process(es): pid \(abbaPid) (abba)"), r.transcript)
        XCTAssertTrue(out.contains("appeared in 1 process(es): pid \(pids.forkChild) (fork_abba)"), r.transcript)
        XCTAssertTrue(out.contains("SUMMARY: DEPT: potential deadlock abba.c:"), r.transcript)
        XCTAssertTrue(out.contains("key: "), r.transcript)
        // The verdict line, last: how many distinct reports, in how many of the processes that ran.
        let last = out.split(separator: "\n").last.map(String.init) ?? ""
        let re = try NSRegularExpression(pattern: #"^dept: 2 distinct deadlock report\(s\) in 2 process\(es\) \(([0-9]+) processes ran\)$"#)
        guard let m = re.firstMatch(in: last, range: NSRange(last.startIndex..., in: last)),
              let ran = Int(last[Range(m.range(at: 1), in: last)!]) else {
            return XCTFail("unexpected verdict line '\(last)'\n\(r.transcript)")
        }
        // At least the two reporting processes; today every process that
        // starts (sh, 3 x sh -c then exec, the forked child) is counted.
        XCTAssertGreaterThanOrEqual(ran, 2, last)
    }

    func testSuppressingOneCycleByFunctionLeavesTheOther() throws {
        try requireBuild()
        let bin = try ProgramCache.shared.threePrograms()
        let dir = try CLIPaths.tempDir("suppress")

        // Suppress the forked child's cycle by one of its functions.
        let sup = dir.appendingPathComponent("known.supp")
        try "# known, tracked elsewhere\ndeadlock:child_right_then_left\n".write(to: sup, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("s.json")
        let r = try dept(["run", "--suppressions", sup.path, "--format", "json", "--output", out.path, "--", "/bin/sh", script, bin.path])
        XCTAssertTrue(r.exited && r.status == 66, "the abba cycle is still reported\n\(r.transcript)")
        XCTAssertTrue(r.stdout.contains("fork_abba: child exited with 0"), "a suppressed cycle changes no exit status\n\(r.transcript)")
        let reps = reports(in: try jsonObject(String(contentsOf: out, encoding: .utf8)))
        let (abba, fork) = split(reps)
        XCTAssertEqual(reps.count, 1, "\(reps.map(objects))")
        XCTAssertEqual(abba.count, 1)
        XCTAssertEqual(fork.count, 0)

        // The other way round, in text: the summary says what was suppressed.
        let sup2 = dir.appendingPathComponent("known2.supp")
        try "deadlock:ctx_y\n".write(to: sup2, atomically: true, encoding: .utf8)
        let r2 = try dept(["run", "--suppressions", sup2.path, "--", "/bin/sh", script, bin.path])
        XCTAssertTrue(r2.exited && r2.status == 66, r2.transcript)
        XCTAssertTrue(r2.stderr.contains("pthread_mutex_lock(fork_left)"), r2.transcript)
        XCTAssertFalse(r2.stderr.contains("pthread_mutex_lock(A)"), r2.transcript)
        XCTAssertTrue(r2.stderr.contains("dept: suppression deadlock:ctx_y matched 1 report(s)"), r2.transcript)

        // Both suppressed: the script's own status.
        let sup3 = dir.appendingPathComponent("all.supp")
        try "deadlock:ctx_y\ndeadlock:fork_*\n".write(to: sup3, atomically: true, encoding: .utf8)
        let r3 = try dept(["run", "--suppressions", sup3.path, "--", "/bin/sh", script, bin.path])
        XCTAssertTrue(r3.exited && r3.status == 0, r3.transcript)
        XCTAssertTrue(r3.stderr.contains("dept: no deadlock report"), r3.transcript)
    }

    func testUnreadableSuppressionsFileIsAClearError() throws {
        try requireBuild()
        let dir = try CLIPaths.tempDir("badsupp")
        let marker = dir.appendingPathComponent("ran")
        let missing = dir.appendingPathComponent("no-such.supp").path
        let r = try dept(["run", "--suppressions", missing, "--", "/bin/sh", "-c", "touch '\(marker.path)'"])
        XCTAssertTrue(r.exited && r.status == 2, r.transcript)
        XCTAssertTrue(r.stderr.contains("cannot read suppressions file '\(missing)'"), "the error names the path\n\(r.transcript)")
        XCTAssertTrue(r.stderr.contains("No such file or directory"), r.transcript)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "the command must not start")

        let r2 = try dept(["run", "--suppressions", dir.path, "--", "/bin/true"])
        XCTAssertTrue(r2.exited && r2.status == 2, r2.transcript)
        XCTAssertTrue(r2.stderr.contains("cannot read suppressions file '\(dir.path)'"), r2.transcript)
    }

    func testExitStatusIsTheProgramsWhenNothingWasReported() throws {
        try requireBuild()
        let clean = try ProgramCache.shared.example("consistent_order")
        let ok = try dept(["run", clean.path])
        XCTAssertTrue(ok.exited && ok.status == 0, ok.transcript)
        XCTAssertTrue(ok.stdout.contains("consistent_order: done"), ok.transcript)
        XCTAssertTrue(ok.stderr.hasSuffix("dept: no deadlock report (1 process ran)\n"), ok.transcript)

        let three = try dept(["run", "--", "/bin/sh", "-c", "exit 3"])
        XCTAssertTrue(three.exited && three.status == 3, three.transcript)

        let killed = try dept(["run", "--", "/bin/sh", "-c", "kill -TERM $$"])
        XCTAssertTrue(killed.exited && killed.status == 128 + SIGTERM, "128+signal\n\(killed.transcript)")

        let abba = try ProgramCache.shared.example("abba")
        let custom = try dept(["run", "--exitcode", "9", abba.path])
        XCTAssertTrue(custom.exited && custom.status == 9, custom.transcript)
        let keep = try dept(["run", "--exitcode", "0", "--", "/bin/sh", "-c", "\"$0\"; exit 5", abba.path])
        XCTAssertTrue(keep.exited && keep.status == 5, "--exitcode 0 keeps the program's status\n\(keep.transcript)")

        let tmp = try CLIPaths.tempDir("tmpdir")
        let missing = try dept(["run", "--", "/no/such/program"], env: cleanEnvironment(["TMPDIR": tmp.path]))
        XCTAssertTrue(missing.exited && missing.status == 127, missing.transcript)
        XCTAssertTrue(missing.stderr.contains("cannot run '/no/such/program'"), missing.transcript)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), [], "no run directory left behind")
    }

    /// dept run asks for verbosity=2's start-up and exit lines, not for a
    /// line per cycle a precision rule held back: sem_many_threads holds
    /// back two, and its clean run says nothing of them (before: two info
    /// blocks in the summary, and a symbolizer start each). Asked for with
    /// --option held_back=1, they come.
    func testHeldBackCyclesOnlyWhenAskedFor() throws {
        try requireBuild()
        let prog = try ProgramCache.shared.example("sem_many_threads")
        let quiet = try dept(["run", prog.path])
        XCTAssertTrue(quiet.exited && quiet.status == 0, quiet.transcript)
        XCTAssertFalse(quiet.stderr.contains("not reported"), quiet.transcript)
        XCTAssertTrue(quiet.stderr.hasSuffix("dept: no deadlock report (1 process ran)\n"), quiet.transcript)
        var transcripts: [String] = []
        // Whether a cycle forms at all depends on how the threads meet;
        // one comes in nearly every run.
        for _ in 0..<3 {
            let asked = try dept(["run", "--option", "held_back=1", prog.path])
            XCTAssertTrue(asked.exited && asked.status == 0, asked.transcript)
            if asked.stderr.contains("DEPT: info: not reported (") {
                XCTAssertTrue(asked.stderr.hasSuffix("dept: no deadlock report (1 process ran)\n"), asked.transcript)
                return
            }
            transcripts.append(asked.transcript)
        }
        XCTFail("held_back=1 brought no held-back line in 3 runs\n\(transcripts.joined(separator: "\n"))")
    }

    func testMissingLibraryIsAClearError() throws {
        try requireBuild()
        let r = try dept(["run", "--", "/bin/true"], env: cleanEnvironment(["DEPT_LIBRARY": "/no/such/libdept.so"]))
        XCTAssertTrue(r.exited && r.status == 2, r.transcript)
        XCTAssertTrue(r.stderr.contains("/no/such/libdept.so"), r.transcript)

        // A dept-cli copied away from its libdept.so says where it looked.
        let dir = try CLIPaths.tempDir("nolib")
        let copy = dir.appendingPathComponent("dept")
        try FileManager.default.copyItem(at: CLIPaths.cli, to: copy)
        let r2 = try runProcess(copy.path, ["run", "--", "/bin/true"])
        XCTAssertTrue(r2.exited && r2.status == 2, r2.transcript)
        XCTAssertTrue(r2.stderr.contains("cannot find libdept.so") && r2.stderr.contains(dir.path + "/libdept.so"), r2.transcript)
        XCTAssertTrue(r2.stderr.contains("DEPT_LIBRARY"), r2.transcript)
    }

    func testEnvironmentKeepsTheUsersPreloadAndOptions() throws {
        try requireBuild()
        let userLib = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6"]
            .first { FileManager.default.fileExists(atPath: $0) }
        var env = cleanEnvironment(["DEPT_OPTIONS": "stack_depth=16"])
        if let l = userLib { env["LD_PRELOAD"] = l }
        let r = try dept(["run", "--hang-ms", "1500", "--on-hang", "report", "--", "/bin/sh", "-c", "echo \"P=$LD_PRELOAD\"; echo \"O=$DEPT_OPTIONS\""], env: env)
        XCTAssertTrue(r.exited && r.status == 0, r.transcript)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let preload = lines.first { $0.hasPrefix("P=") }.map { String($0.dropFirst(2)) } ?? ""
        let options = lines.first { $0.hasPrefix("O=") }.map { String($0.dropFirst(2)) } ?? ""
        let parts = preload.split(separator: ":").map(String.init)
        XCTAssertEqual(parts.first.map { URL(fileURLWithPath: $0).lastPathComponent }, "libdept.so", "libdept.so comes first: \(preload)")
        if let l = userLib { XCTAssertTrue(parts.contains(l), "the user's LD_PRELOAD is kept: \(preload)") }
        let opts = options.split(separator: ":").map(String.init)
        XCTAssertTrue(opts.contains("stack_depth=16"), "the user's DEPT_OPTIONS is kept: \(options)")
        XCTAssertTrue(opts.contains("hang_ms=1500") && opts.contains("on_hang=report"), options)
        XCTAssertTrue(opts.contains("format=json") && opts.contains(where: { $0.hasPrefix("log_path=") }), options)
        XCTAssertGreaterThan(opts.firstIndex(of: "hang_ms=1500") ?? -1, opts.firstIndex(of: "stack_depth=16") ?? Int.max,
                             "command-line options come after (and win over) the environment's: \(options)")

        let kg = try dept(["run", "--keep-going", "--", "/bin/sh", "-c", "echo \"O=$DEPT_OPTIONS\""])
        XCTAssertTrue(kg.stdout.contains("on_hang=report"), kg.transcript)
        let bad = try dept(["run", "--keep-going", "--on-hang", "exit", "--", "/bin/true"])
        XCTAssertTrue(bad.exited && bad.status != 0 && bad.stderr.contains("--keep-going"), bad.transcript)
    }

    func testSignalsAreForwardedToTheCommand() throws {
        try requireBuild()
        let cmd = "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.05; done"
        let r = try dept(["run", "--", "/bin/sh", "-c", cmd], timeout: 60) { process, stdoutURL in
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if let s = try? String(contentsOf: stdoutURL, encoding: .utf8), s.contains("ready") { break }
                usleep(20_000)
            }
            kill(process.processIdentifier, SIGTERM)   // to dept only, not to its process group
        }
        XCTAssertFalse(r.timedOut, r.transcript)
        XCTAssertTrue(r.stdout.contains("got-term"), "the command received the SIGTERM sent to dept\n\(r.transcript)")
        XCTAssertTrue(r.exited && r.status == 7, "dept exits with the command's status\n\(r.transcript)")
        XCTAssertTrue(r.stderr.contains("dept: no deadlock report"), "and still prints its summary\n\(r.transcript)")
    }

    func testLogDirRefusesReportsOfAnEarlierRun() throws {
        try requireBuild()
        let dir = try CLIPaths.tempDir("stale")
        try "x".write(to: dir.appendingPathComponent("report.1"), atomically: true, encoding: .utf8)
        let r = try dept(["run", "--log-dir", dir.path, "--", "/bin/true"])
        XCTAssertTrue(r.exited && r.status == 2 && r.stderr.contains(dir.path), r.transcript)
    }

    func testHelpDocumentsEveryCommandAndOption() throws {
        try requireBuild()
        let top = try dept(["--help"])
        XCTAssertTrue(top.exited && top.status == 0, top.transcript)
        for word in ["USAGE: dept", "run", "report", "symbolize"] { XCTAssertTrue(top.stdout.contains(word), "\(word)\n\(top.transcript)") }
        let run = try dept(["run", "--help"])
        XCTAssertTrue(run.exited && run.status == 0, run.transcript)
        for opt in ["--hang-ms", "--on-hang", "--suppressions", "--format", "--output", "--keep-going", "--exitcode", "--log-dir", "--option",
                    "--gen-suppressions", "DEPT_LIBRARY", "Exit status", "64 for a usage", "fail_on_potential"] {
            XCTAssertTrue(run.stdout.contains(opt), "dept run --help documents \(opt)\n\(run.transcript)")
        }
        let rep = try dept(["report", "--help"])
        for opt in ["--format", "--svg", "dot", "sarif"] { XCTAssertTrue(rep.stdout.contains(opt), "\(opt)\n\(rep.transcript)") }
        let sym = try dept(["symbolize", "--help"])
        for opt in ["--binary-dir", "build ID", "llvm-symbolizer"] { XCTAssertTrue(sym.stdout.contains(opt), "\(opt)\n\(sym.transcript)") }
    }
}
