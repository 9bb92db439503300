import ArgumentParser
import DeptCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum RunFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif
}

enum OnHangAction: String, ExpressibleByArgument, CaseIterable {
    case report, exit, abort
}

/// The child being waited for; the signal handler forwards to it.
nonisolated(unsafe) private var forwardPid: pid_t = 0

/// SIGINT/SIGTERM/SIGHUP sent to dept go to the child. A signal the terminal
/// sent to the whole foreground process group (si_code SI_KERNEL) already
/// reached the child, which shares our group: not sent twice.
private let forwardHandler: @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void = { sig, info, _ in
    let pid = forwardPid
    guard pid > 0 else { return }
    if let info, info.pointee.si_code == 0x80 /* SI_KERNEL */, getpgid(pid) == getpgrp() { return }
    kill(pid, sig)
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command with libdept.so preloaded into it and every process it starts; print one deduplicated summary.",
        discussion: """
        dept run preloads libdept.so (LD_PRELOAD, prepended to any LD_PRELOAD you already \
        set) into COMMAND. The environment is inherited, so every descendant is covered too: \
        fork, exec, `sh -c`, posix_spawn, test runners (`dept run -- ctest -j2`, \
        `dept run -- swift test`, `dept run -- make check`).

        Each process writes its reports as JSON lines to <log-dir>/report.<pid> \
        (DEPT_OPTIONS log_path=<log-dir>/report:format=json). While COMMAND runs, dept prints \
        each distinct report (by its key, once) as soon as a process writes it. When COMMAND \
        exits, dept prints an index (one line per distinct report, with the processes where it \
        appeared), the processes that ran grouped by program, which of them hung or ended \
        without an exit (killed by a signal, crashed), and a verdict line, last. The cycles \
        a precision rule held back are not listed (DEPT_OPTIONS held_back=0; --option \
        held_back=1 lists them, as info lines that the verdict does not count).

        Output: dept's summary and reports go to stderr, or to --output FILE; the program's \
        stdout stays the program's. With --format json or sarif the document goes to --output \
        FILE (or stderr), and the text reports stream to stderr as they arrive.

        Exit status of the processes: under dept run a potential deadlock report does not \
        change the exit status of the process that found it (DEPT_OPTIONS fail_on_potential=0), \
        so `dept run -- make -j2` checks every target instead of stopping at the first report; \
        a live deadlock or hang still ends the stuck process (with the exitcode, 66). \
        --option fail_on_potential=1 restores the library's default. The run's own exit \
        status says whether anything was found.

        The options mirror DEPT_OPTIONS (see README): --hang-ms is hang_ms, --on-hang is \
        on_hang, --suppressions is suppressions, --exitcode is exitcode; --option KEY=VALUE \
        passes any other DEPT_OPTIONS entry. A DEPT_OPTIONS already in the environment is kept \
        (the command-line options win over it; log_path and format are always dept run's).

        Locating libdept.so: $DEPT_LIBRARY, else libdept.so next to the dept executable, else \
        ../lib/libdept.so relative to it.

        Exit status: the command's own status when no deadlock was reported (128+N when it was \
        killed by signal N); the --exitcode status (default 66) when any report of a deadlock, \
        potential deadlock or hang was found in any process; 2 for an error of dept itself \
        (missing libdept.so, unreadable suppressions file, unwritable output); 64 for a usage \
        error (a bad option); 127 when the command cannot be found.

        SIGINT, SIGTERM and SIGHUP sent to dept are forwarded to the command; dept then still \
        prints the summary.

        Report files are kept when --log-dir is given, or when reports were found (the path is \
        printed on stderr; `dept report DIR` re-renders them); otherwise the per-run directory \
        (under $TMPDIR) is removed.

        Examples:
          dept run -- ./my_program --its-flag
          dept run --format sarif --output dept.sarif -- ctest -j2
          dept run --suppressions known-deadlocks.txt -- make check
          dept run --gen-suppressions known-deadlocks.txt -- ./legacy_tests
        """
    )

    @Option(name: .customLong("hang-ms"), help: ArgumentHelp("A wait blocked this long (ms) triggers the live hang analysis (hang_ms, default 1000).", valueName: "ms"))
    var hangMs: Int?

    @Option(name: .customLong("on-hang"), help: ArgumentHelp("After a deadlock or hang report: report (keep running), exit (the default: the process exits with the exitcode) or abort.", valueName: "report|exit|abort"))
    var onHang: OnHangAction?

    @Option(help: ArgumentHelp("File of `deadlock:<pattern>` lines (`*` wildcards, `#` comments); reports whose functions, files, modules or object classes match are not reported and do not change the exit status. It must be readable.", valueName: "file"))
    var suppressions: String?

    @Option(help: ArgumentHelp("Format of the summary: text (each distinct report once, with the processes where it appeared), json (an array of report objects, docs/report-schema.json) or sarif (one SARIF 2.1.0 log, one result per distinct report).", valueName: "text|json|sarif"))
    var format: RunFormat = .text

    @Option(help: ArgumentHelp("Write the reports and the summary to this file instead of stderr.", valueName: "file"))
    var output: String?

    @Flag(name: .customLong("keep-going"), help: "Keep the program running after a deadlock or hang report (on_hang=report) instead of ending the process.")
    var keepGoing = false

    @Option(help: ArgumentHelp("Exit status when a deadlock was reported (default 66; 0 keeps the command's own status). Also passed to each process (exitcode).", valueName: "n"))
    var exitcode: Int32?

    @Option(name: .customLong("log-dir"), help: ArgumentHelp("Write the report files (report.<pid>, JSON lines) into this directory and keep them; the default is a fresh directory under $TMPDIR, removed when nothing was reported.", valueName: "dir"))
    var logDir: String?

    @Option(name: .customLong("source-root"), help: ArgumentHelp("SARIF: source paths under this directory become relative to %SRCROOT% (default: the current directory, usually the checkout).", valueName: "dir"))
    var sourceRoot: String?

    @Option(name: .customLong("gen-suppressions"), help: ArgumentHelp("Write a suppressions file with one `deadlock:<function>` line per distinct report found (as Valgrind's --gen-suppressions), to edit and pass back with --suppressions.", valueName: "file"))
    var genSuppressions: String?

    @Option(name: .customLong("option"), help: ArgumentHelp("An extra DEPT_OPTIONS entry, e.g. --option stack_depth=64 (repeatable).", valueName: "key=value"))
    var extraOptions: [String] = []

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command to run, with its arguments (put `--` before it when it has options of its own).", valueName: "command"))
    var command: [String] = []

    mutating func validate() throws {
        if command.first == "-h" || command.first == "--help" || command.first == "-help" { throw CleanExit.helpRequest(Run.self) }
        let terminated = command.first == "--"
        if terminated { command.removeFirst() }
        guard let first = command.first else { throw ValidationError("missing the command to run (dept run [options] -- command args...)") }
        if first.hasPrefix("-") && !terminated { throw ValidationError("unknown option '\(first)' (put `--` before a command whose name starts with '-')") }
        if let h = hangMs, h < 1 { throw ValidationError("--hang-ms must be at least 1") }
        if let e = exitcode, !(0...255).contains(e) { throw ValidationError("--exitcode must be in 0...255") }
        if keepGoing, let h = onHang, h != .report { throw ValidationError("--keep-going means --on-hang report; it conflicts with --on-hang \(h.rawValue)") }
        for o in extraOptions where !o.contains("=") { throw ValidationError("--option expects key=value, got '\(o)'") }
    }

    func run() throws {
        try reportingErrors { try runCommand() }
    }

    /// libdept.so: $DEPT_LIBRARY, else next to this executable, else ../lib.
    static func findLibrary() throws -> String {
        if let env = ProcessInfo.processInfo.environment["DEPT_LIBRARY"], !env.isEmpty {
            let path = absolutePath(env)
            guard access(path, R_OK) == 0, !isDirectory(path) else {
                throw DeptError("DEPT_LIBRARY is '\(env)', but that file cannot be read: \(errnoText())")
            }
            return path
        }
        let dir = dirname(selfExecutable())
        let candidates = [dir + "/libdept.so", dirname(dir) + "/lib/libdept.so"]
        if let found = candidates.first(where: { access($0, R_OK) == 0 }) { return found }
        throw DeptError("cannot find libdept.so (looked for \(candidates.joined(separator: " and "))); build it with `swift build -c release`, or set DEPT_LIBRARY=/path/to/libdept.so")
    }

    /// DEPT_OPTIONS splits on ':' and whitespace: a path carrying those
    /// cannot be passed.
    static func optionSafe(_ path: String) -> Bool {
        !path.contains(where: { $0 == ":" || $0 == " " || $0 == "\n" || $0 == "\t" })
    }

    func makeRunDirectory() throws -> (path: String, temporary: Bool) {
        if let logDir {
            let dir = absolutePath(logDir)
            guard Self.optionSafe(dir) else { throw DeptError("--log-dir '\(dir)' contains ':' or whitespace, which DEPT_OPTIONS cannot carry; choose another directory") }
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw DeptError("cannot create --log-dir '\(dir)': \(error.localizedDescription)")
            }
            guard access(dir, W_OK) == 0 else { throw DeptError("cannot write into --log-dir '\(dir)': \(errnoText())") }
            let stale = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("report.") }
            if !stale.isEmpty {
                throw DeptError("--log-dir '\(dir)' already holds report files of an earlier run (\(stale.prefix(3).joined(separator: ", "))\(stale.count > 3 ? ", ..." : "")); remove them or choose another directory")
            }
            return (dir, false)
        }
        var base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        if base.isEmpty || !Self.optionSafe(base) || !isDirectory(base) { base = "/tmp" }
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/dept-run.XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw DeptError("cannot create a run directory in \(base): \(errnoText())") }
        return (String(cString: p), true)
    }

    func runCommand() throws {
        let library = try Self.findLibrary()

        // Suppressions: readable now, not an hour into the run.
        var suppressionsPath: String?
        if let s = suppressions {
            let path = absolutePath(s)
            let text = try readTextFile(path, what: "suppressions file")
            let (parsed, problems) = Suppressions.parse(text)
            for p in problems { printNote("warning: suppressions file '\(path)': \(p)") }
            if let note = parsed.skippedNote { printNote("info: suppressions file '\(path)': \(note)") }
            suppressionsPath = path
        }
        if let out = output { try checkWritable(out) }
        if let g = genSuppressions { try checkWritable(g) }

        let (runDir, temporary) = try makeRunDirectory()
        do {
            try runIn(runDir, temporary: temporary, library: library, suppressionsPath: suppressionsPath)
        } catch let e as DeptError {
            if temporary { try? FileManager.default.removeItem(atPath: runDir) }
            throw e
        }
    }

    func runIn(_ runDir: String, temporary: Bool, library: String, suppressionsPath: String?) throws {
        var suppressionsPath = suppressionsPath
        if let p = suppressionsPath, !Self.optionSafe(p) {
            // Pass a copy whose path DEPT_OPTIONS can carry.
            let copy = runDir + "/suppressions.txt"
            do { try FileManager.default.copyItem(atPath: p, toPath: copy) } catch {
                throw DeptError("cannot copy suppressions file '\(p)' into \(runDir): \(error.localizedDescription)")
            }
            suppressionsPath = copy
        }

        // DEPT_OPTIONS: dept run's defaults, then the user's, then the
        // command-line options, then what dept run needs to collect.
        var env = ProcessInfo.processInfo.environment
        var opts: [String] = [
            // Every process that starts writes a start-up line (with its
            // command line) and an exit line to its file: that is how dept
            // counts the processes and tells which ended abnormally. The
            // lines are not shown.
            "verbosity=2",
            // ... without a line per cycle a precision rule held back: each
            // cost the process a symbolizer start, and a clean gst-launch
            // run listed two dozen of them. --option held_back=1 brings
            // them back.
            "held_back=0",
            // A potential report does not fail the process that found it
            // (make -j2 would stop at the first one, leaving the other
            // targets unchecked); the run's own status says it. Live
            // deadlocks and hangs still end the stuck process.
            "fail_on_potential=0",
        ]
        if suppressionsPath != nil { opts.append("print_suppressions=1") }
        if let user = env["DEPT_OPTIONS"], !user.isEmpty { opts.append(user) }
        if let h = hangMs { opts.append("hang_ms=\(h)") }
        if keepGoing { opts.append("on_hang=report") } else if let h = onHang { opts.append("on_hang=\(h.rawValue)") }
        if let p = suppressionsPath { opts.append("suppressions=\(p)") }
        if let e = exitcode { opts.append("exitcode=\(e)") }
        opts += extraOptions
        opts += ["log_path=\(runDir)/report", "format=json"]
        env["DEPT_OPTIONS"] = opts.joined(separator: ":")
        // Option problems: said once here, not once per process.
        let (_, optionProblems) = Options.parse(env["DEPT_OPTIONS"]!)
        for p in optionProblems { printNote("warning: \(p)") }
        var known = Set(optionProblems.map { "DEPT: warning: \($0)" })
        // So are the suppressions file's, which every process repeats.
        if let p = suppressionsPath, let text = try? readTextFile(p, what: "suppressions file") {
            let (parsed, problems) = Suppressions.parse(text)
            for q in problems { known.insert("DEPT: warning: suppressions file '\(p)': \(q)") }
            if let note = parsed.skippedNote { known.insert("DEPT: info: suppressions file '\(p)': \(note)") }
        }

        var preload = [library]
        if let existing = env["LD_PRELOAD"] {
            preload += existing.split(whereSeparator: { $0 == ":" || $0 == " " }).map(String.init).filter { $0 != library }
        }
        env["LD_PRELOAD"] = preload.joined(separator: ":")

        // Forward signals (unless the user ignored them, as nohup does).
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var old = sigaction()
            sigaction(sig, nil, &old)
            let current = old.__sigaction_handler.sa_handler.map { unsafeBitCast($0, to: Int.self) } ?? 0
            if current == 1 /* SIG_IGN */ { continue }
            var sa = sigaction()
            sa.__sigaction_handler.sa_sigaction = forwardHandler
            sa.sa_flags = SA_SIGINFO | SA_RESTART
            sigemptyset(&sa.sa_mask)
            sigaction(sig, &sa, nil)
        }

        // Text reports stream as they arrive: into the summary's destination
        // in text format; to stderr beside a JSON or SARIF file.
        let effective = Options.parse(env["DEPT_OPTIONS"]!).0
        let streamFD: Int32?
        var streamFile: Int32 = -1
        switch (format, output) {
        case (.text, nil): streamFD = 2
        case (.text, let path?):
            streamFile = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if streamFile < 0 { throw DeptError("cannot write output file '\(path)': \(errnoText())") }
            streamFD = streamFile
        case (_, _?): streamFD = 2
        case (_, nil): streamFD = nil
        }
        defer { if streamFile >= 0 { close(streamFile) } }
        var style = TextReport.Style(stripPathPrefix: effective.stripPathPrefix)
        if let fd = streamFD { style.color = Self.wantsColor(effective.color, fd: fd) }
        let watcher = RunWatcher(dir: runDir, progress: isatty(2) != 0, streamTo: streamFD, style: style)
        let start = Date()
        watcher.start()
        let result: (Bool, Int32, pid_t)
        do { result = try spawnAndWait(command, env: env) } catch { watcher.stop(); throw error }
        let (exited, code, childPid) = result
        let elapsed = Date().timeIntervalSince(start)
        watcher.stop()

        // Collect.
        var files: [ReportFile] = []
        for path in (try? ReportReader.files(in: runDir)) ?? [] where basename(path).hasPrefix("report.") {
            if let f = try? ReportReader.load(path) { files.append(f) }
        }
        var collection = Collection.collect(files, ignoring: known)
        let processesRan = collection.processes.count
        let programStatus: Int32 = exited ? code : 128 + code
        collection.records[childPid]?.waitStatus = programStatus

        let effectiveExit = exitcode ?? 66
        let status: Int32 = (!collection.groups.isEmpty && effectiveExit != 0) ? effectiveExit : programStatus

        if let g = genSuppressions { try emitOutput(collection.generatedSuppressions(), to: g) }
        let interesting = !collection.groups.isEmpty || !collection.warnings.isEmpty || !collection.diagnostics.isEmpty
        var whereNote = ""
        if temporary && !interesting {
            try? FileManager.default.removeItem(atPath: runDir)
        } else if !collection.groups.isEmpty || !temporary {
            whereNote = "dept: report files are in \(runDir) (`dept report \(runDir)` re-renders them)\n"
        } else {
            whereNote = "dept: warnings are in \(runDir)\n"
        }
        if let g = genSuppressions { whereNote += "dept: suppressions for \(collection.groups.count) report(s) written to \(g)\n" }

        let rendered: String
        switch format {
        case .text:
            // The verdict stays the last line of a text summary on stderr.
            rendered = collection.text(processesRan: processesRan, style: style, reports: false,
                                       beforeVerdict: output == nil ? whereNote : "")
        case .json: rendered = collection.json()
        case .sarif:
            var inv: [String: Any] = ["executionSuccessful": true, "commandLine": command.map(Self.shellQuote).joined(separator: " "),
                                      "workingDirectory": ["uri": "file://" + FileManager.default.currentDirectoryPath]]
            if exited { inv["exitCode"] = Int(code) } else { inv["exitSignalNumber"] = Int(code) }
            rendered = collection.sarif(invocation: inv, sourceRoot: sourceRoot ?? FileManager.default.currentDirectoryPath)
        }
        if format == .text {
            if let fd = streamFD { writeAll(fd, rendered) }
        } else if let output {
            try emitOutput(rendered, to: output)
        } else {
            writeStderr(rendered)
        }

        if format != .text || output != nil {
            writeStderr(whereNote)
            // The text verdict goes with the summary; for other formats say it on stderr.
            printNote(String(collection.verdict(processesRan: processesRan).dropFirst("dept: ".count)) + String(format: " in %.1f s", elapsed))
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// `color=auto`: on a terminal that is not dumb, unless NO_COLOR is set.
    static func wantsColor(_ c: Options.Color, fd: Int32) -> Bool {
        switch c {
        case .always: return true
        case .never: return false
        case .auto:
            let env = ProcessInfo.processInfo.environment
            return isatty(fd) != 0 && env["TERM"] != "dumb" && env["NO_COLOR"] == nil
        }
    }

    static func shellQuote(_ s: String) -> String {
        if !s.isEmpty && s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Starts the command (stdin/stdout/stderr inherited) and waits for it.
    /// Returns (exited normally, exit status or signal number).
    func spawnAndWait(_ argv: [String], env: [String: String]) throws -> (Bool, Int32, pid_t) {
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], nil, nil, cArgs, cEnv)
        if rc != 0 {
            throw DeptError("cannot run '\(argv[0])': \(errnoText(rc))", code: rc == ENOENT ? 127 : 126)
        }
        forwardPid = pid
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw DeptError("waitpid: \(errnoText())") }
        }
        forwardPid = 0
        if status & 0x7f == 0 { return (true, (status >> 8) & 0xff, pid) }
        return (false, status & 0x7f, pid)
    }
}

