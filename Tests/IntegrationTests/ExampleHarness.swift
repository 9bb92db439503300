// Harness for the integration tests: builds the programs in Examples/, runs
// them with or without LD_PRELOAD=libdept.so, and checks the reports against
// DESIGN.md §5 ("Reports").
//
// The tests use the *release* products of the package (the README's test
// command is `swift build -c release && swift test`):
//   <package root>/.build/release/libdept.so
// Set DEPT_BUILD_DIR to use another build directory (absolute, or relative to
// the package root).
//
// Nothing here imports DeptCore: the tests look at the preload from the
// outside, exactly as a user would.

import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// MARK: - Paths

/// The scratch directory to delete at exit (see `DeptPaths.scratchDir`).
private var scratchPathToRemove: String?

enum DeptPaths {
    /// The package root, found from this file's location
    /// (<root>/Tests/IntegrationTests/ExampleHarness.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // IntegrationTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // package root
        .standardizedFileURL

    static let examplesDir: URL = packageRoot.appendingPathComponent("Examples", isDirectory: true)

    /// `DEPT_BUILD_DIR` if set (relative paths are taken from the package
    /// root), else `<root>/.build/release`.
    static var buildDir: URL {
        if let dir = ProcessInfo.processInfo.environment["DEPT_BUILD_DIR"], !dir.isEmpty {
            if dir.hasPrefix("/") { return URL(fileURLWithPath: dir, isDirectory: true).standardizedFileURL }
            return packageRoot.appendingPathComponent(dir, isDirectory: true).standardizedFileURL
        }
        return packageRoot.appendingPathComponent(".build/release", isDirectory: true)
    }

    static var preload: URL { buildDir.appendingPathComponent("libdept.so") }

    /// One scratch directory per test process; example binaries are built in
    /// per-example subdirectories of it. It is removed when the test process
    /// exits, unless DEPT_IT_KEEP is set (to re-run a failing binary by hand).
    static let scratchDir: URL = {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("dept-it-\(getpid())-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if ProcessInfo.processInfo.environment["DEPT_IT_KEEP"] == nil {
            scratchPathToRemove = dir.path
            atexit {
                if let path = scratchPathToRemove { try? FileManager.default.removeItem(atPath: path) }
            }
        }
        return dir
    }()

    /// A fresh, unique directory for one test (parallel-safe).
    static func makeTempDir(_ label: String) throws -> URL {
        let dir = scratchDir.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Absolute path of an executable found on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Fails the test (with the message) unless libdept.so exists and lets a
/// trivial program run; returns its path.
///
/// The sanity run (`true` under the preload, once per test process) makes a
/// preload that hangs or kills every process fail each test at once, instead
/// of letting every test wait for its full timeout.
func requirePreload(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
    let lib = DeptPaths.preload
    guard FileManager.default.fileExists(atPath: lib.path) else {
        let msg = "libdept.so not found at \(lib.path): run `swift build -c release` first (or set DEPT_BUILD_DIR)"
        XCTFail(msg, file: file, line: line)
        throw HarnessError(msg)
    }
    if let problem = PreloadSanity.problem {
        XCTFail(problem, file: file, line: line)
        throw HarnessError(problem)
    }
    return lib
}

enum PreloadSanity {
    /// nil when `true` runs fine under the preload; computed once (a static
    /// let is initialised exactly once, thread-safely).
    static let problem: String? = {
        let exe = DeptPaths.which("true") ?? "/bin/true"
        let run = runProgram(exe, [], preload: true, timeout: 20)
        if run.timedOut || !run.exitedNormally || run.exitCode != 0 {
            return "the preload breaks even `true` (\(run.statusDescription)); every test needing it fails\n\(run.transcript)"
        }
        return nil
    }()
}

// MARK: - Example headers

enum Expectation: String {
    case potential, deadlock, hang, silent, warning
}

struct ExampleHeader {
    let name: String
    let source: URL
    let expect: Expectation
    let objects: [String]
    let summary: String
    /// The raw `// build:` line, if any.
    let buildLine: String?

    /// The command that builds the example, with `$OUT` standing for the
    /// output directory; run with `/bin/sh -c` from the package root.
    var buildCommand: String {
        buildLine ?? "cc -g -O0 -pthread -o $OUT/\(name) Examples/\(name).c"
    }

    /// The example's source text.
    var sourceText: String { (try? String(contentsOf: source, encoding: .utf8)) ?? "" }

    static let sourceExtensions = ["c", "cpp", "cc", "swift"]

    /// Reads the header of `Examples/<name>.{c,cpp,swift}`.
    static func load(_ name: String) throws -> ExampleHeader {
        for ext in sourceExtensions {
            let url = DeptPaths.examplesDir.appendingPathComponent("\(name).\(ext)")
            if FileManager.default.fileExists(atPath: url.path) {
                return try parse(url)
            }
        }
        throw HarnessError("no source for example \(name) in \(DeptPaths.examplesDir.path)")
    }

    static func parse(_ url: URL) throws -> ExampleHeader {
        let text = try String(contentsOf: url, encoding: .utf8)
        var fields: [String: String] = [:]
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            guard line.hasPrefix("//") else { break }      // the header is the leading comment block
            let body = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            guard let colon = body.firstIndex(of: ":") else { continue }
            let key = String(body[..<colon]).trimmingCharacters(in: .whitespaces)
            guard ["dept-example", "expect", "objects", "summary", "build"].contains(key),
                  fields[key] == nil else { continue }
            fields[key] = String(body[body.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        guard let name = fields["dept-example"], !name.isEmpty else {
            throw HarnessError("\(url.lastPathComponent): no `// dept-example:` header")
        }
        guard let expectRaw = fields["expect"], let expect = Expectation(rawValue: expectRaw) else {
            throw HarnessError("\(url.lastPathComponent): missing or unknown `// expect:` (\(fields["expect"] ?? "none"))")
        }
        let stem = url.deletingPathExtension().lastPathComponent
        guard stem == name else {
            throw HarnessError("\(url.lastPathComponent): `// dept-example: \(name)` does not match the file name")
        }
        let objects = (fields["objects"] ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        return ExampleHeader(name: name, source: url, expect: expect, objects: objects,
                             summary: fields["summary"] ?? "", buildLine: fields["build"])
    }

    /// Every example in Examples/ (top level only; Examples/lib holds helpers).
    static func all() throws -> [ExampleHeader] {
        let files = try FileManager.default.contentsOfDirectory(at: DeptPaths.examplesDir, includingPropertiesForKeys: nil)
        return try files
            .filter { sourceExtensions.contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map(parse)
    }
}

// MARK: - Building (once per example per test process)

struct BuiltExample {
    let header: ExampleHeader
    let executable: URL
    var name: String { header.name }
}

final class ExampleBuilder {
    static let shared = ExampleBuilder()

    private final class Entry {
        let lock = NSLock()
        var result: Result<BuiltExample, HarnessError>?
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    /// Builds `Examples/<name>` once per test process (later calls, from any
    /// thread, get the cached result). A failed build fails the calling test
    /// with the compiler output and throws.
    func build(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> BuiltExample {
        lock.lock()
        let entry: Entry
        if let existing = entries[name] { entry = existing } else { entry = Entry(); entries[name] = entry }
        lock.unlock()

        entry.lock.lock()
        defer { entry.lock.unlock() }
        if entry.result == nil { entry.result = Self.doBuild(name) }
        switch entry.result! {
        case .success(let built):
            return built
        case .failure(let error):
            XCTFail(error.description, file: file, line: line)
            throw error
        }
    }

    private static func doBuild(_ name: String) -> Result<BuiltExample, HarnessError> {
        let header: ExampleHeader
        do { header = try ExampleHeader.load(name) } catch {
            return .failure(HarnessError("cannot read example \(name): \(error)"))
        }
        // A directory per example: two build lines that both produce a helper
        // library (liblockpair.so) must not overwrite each other's.
        let out = DeptPaths.scratchDir.appendingPathComponent("build-\(name)", isDirectory: true)
        do { try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true) } catch {
            return .failure(HarnessError("cannot create \(out.path): \(error)"))
        }
        var env = ProcessRunner.cleanEnvironment()
        env["OUT"] = out.path
        let run = ProcessRunner.run(executable: "/bin/sh", arguments: ["-c", header.buildCommand],
                                    environment: env, currentDirectory: DeptPaths.packageRoot,
                                    timeout: 600)
        let exe = out.appendingPathComponent(name)
        guard run.exitedNormally, run.exitCode == 0, FileManager.default.isExecutableFile(atPath: exe.path) else {
            return .failure(HarnessError("""
                building example \(name) failed (\(run.statusDescription)):
                  OUT=\(out.path) /bin/sh -c '\(header.buildCommand)'   (in \(DeptPaths.packageRoot.path))
                --- compiler stdout ---
                \(run.stdout)
                --- compiler stderr ---
                \(run.stderr)
                """))
        }
        return .success(BuiltExample(header: header, executable: exe))
    }
}

// MARK: - Running

struct RunResult {
    let command: [String]
    let environmentOverrides: [String: String]
    let pid: Int32
    let stdout: String
    let stderr: String
    /// Exit status when the program exited, the signal number when it was killed.
    let terminationStatus: Int32
    let exitedNormally: Bool
    let timedOut: Bool
    let wallTime: TimeInterval

    var exitCode: Int32? { exitedNormally ? terminationStatus : nil }
    var signal: Int32? { exitedNormally ? nil : terminationStatus }

    var stderrLines: [String] {
        stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    var statusDescription: String {
        var s = exitedNormally ? "exit status \(terminationStatus)" : "killed by signal \(terminationStatus)"
        if timedOut { s += ", timed out" }
        return s + String(format: ", %.2f s", wallTime)
    }

    /// Everything needed to understand a failure.
    var transcript: String {
        let envs = environmentOverrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return """
            $ \(envs.isEmpty ? "" : envs + " ")\(command.joined(separator: " "))
            pid \(pid), \(statusDescription)
            --- stdout ---
            \(stdout)
            --- stderr ---
            \(stderr)
            --- end ---
            """
    }
}

/// Collects everything written to a pipe, on its own thread.
private final class PipeDrain {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    private let handle: FileHandle

    init(_ pipe: Pipe) {
        handle = pipe.fileHandleForReading
        let fd = handle.fileDescriptor
        let thread = Thread { [self] in
            let size = 1 << 16
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let n = read(fd, buffer, size)
                if n > 0 {
                    lock.lock(); data.append(buffer.assumingMemoryBound(to: UInt8.self), count: n); lock.unlock()
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            // Closed here, at end-of-file, through the handle (so that it is
            // not closed twice): left to the handle's deinit, a suite run
            // kept about three read ends per program run open (1,356
            // descriptors by PrimitivesTests), and Foundation's Process.run
            // crashed in a copy when it met descriptor numbers that high.
            try? handle.close()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits (at most `timeout` seconds) for end-of-file, then returns what
    /// was read so far as text.
    func finish(timeout: TimeInterval) -> String {
        _ = done.wait(timeout: .now() + timeout)
        lock.lock(); defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

enum ProcessRunner {
    /// The test process's environment without anything that would put a
    /// preload (or dept options) into a "plain" run.
    static func cleanEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["LD_PRELOAD"] = nil
        for key in env.keys where key.hasPrefix("DEPT_") { env[key] = nil }
        // A program that closes its stderr gets its reports in
        // $TMPDIR/dept.<pid>.log: in the scratch directory, which goes
        // with the test process, not in /tmp (a suite run left 260 there).
        env["TMPDIR"] = DeptPaths.scratchDir.path
        return env
    }

    /// Runs a program to completion or until `timeout` seconds have passed,
    /// then kills it (and its process group) with SIGKILL.
    static func run(executable: String, arguments: [String] = [],
                    environment: [String: String], overrides: [String: String] = [:],
                    currentDirectory: URL? = nil, timeout: TimeInterval) -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let dir = currentDirectory { process.currentDirectoryURL = dir }
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }

        let command = [executable] + arguments
        let start = DispatchTime.now()
        do {
            try process.run()
        } catch {
            return RunResult(command: command, environmentOverrides: overrides, pid: -1, stdout: "",
                             stderr: "cannot start \(executable): \(error)", terminationStatus: 127,
                             exitedNormally: true, timedOut: false, wallTime: 0)
        }
        // Foundation closes the parent's copies of the write ends after the
        // spawn; drain both pipes concurrently so a chatty child never blocks.
        let outDrain = PipeDrain(outPipe), errDrain = PipeDrain(errPipe)
        let pid = process.processIdentifier

        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            // Foundation starts the child in its own process group: kill it all.
            if getpgid(pid) == pid { kill(-pid, SIGKILL) }
            kill(pid, SIGKILL)
            if exited.wait(timeout: .now() + 30) == .timedOut {
                return RunResult(command: command, environmentOverrides: overrides, pid: pid,
                                 stdout: outDrain.finish(timeout: 0), stderr: errDrain.finish(timeout: 0),
                                 terminationStatus: SIGKILL, exitedNormally: false, timedOut: true,
                                 wallTime: seconds(since: start))
            }
        }
        let wall = seconds(since: start)
        // Grandchildren may keep the pipes open: do not wait for them forever.
        let stdout = outDrain.finish(timeout: timedOut ? 2 : 10)
        let stderr = errDrain.finish(timeout: timedOut ? 2 : 10)
        return RunResult(command: command, environmentOverrides: overrides, pid: pid,
                         stdout: stdout, stderr: stderr,
                         terminationStatus: process.terminationStatus,
                         exitedNormally: process.terminationReason == .exit,
                         timedOut: timedOut, wallTime: wall)
    }

    private static func seconds(since start: DispatchTime) -> TimeInterval {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// Runs a program, optionally under `LD_PRELOAD=<libdept.so>`, with extra
/// environment variables (e.g. `DEPT_OPTIONS`).
func runProgram(_ executable: String, _ arguments: [String] = [], preload: Bool,
                env extra: [String: String] = [:], timeout: TimeInterval = 60) -> RunResult {
    var env = ProcessRunner.cleanEnvironment()
    var overrides = extra
    if preload {
        overrides["LD_PRELOAD"] = DeptPaths.preload.path
        // DEPT_TEST_OPTIONS adds options to every preloaded run (Scripts/unwinders
        // runs the hostile programs once per stack unwinder this way).
        if let extra = ProcessInfo.processInfo.environment["DEPT_TEST_OPTIONS"], !extra.isEmpty {
            overrides["DEPT_OPTIONS"] = [overrides["DEPT_OPTIONS"], extra].compactMap { $0 }.joined(separator: ":")
        }
    }
    for (k, v) in overrides { env[k] = v }
    return ProcessRunner.run(executable: executable, arguments: arguments, environment: env,
                             overrides: overrides, currentDirectory: nil, timeout: timeout)
}

func runExample(_ example: BuiltExample, preload: Bool, env: [String: String] = [:],
                timeout: TimeInterval = 60) -> RunResult {
    runProgram(example.executable.path, [], preload: preload, env: env, timeout: timeout)
}

// MARK: - Report parsing

enum ReportKind: String {
    case potential, deadlock, hang

    /// The exact first line of a report (DESIGN.md §5); capture groups are
    /// the numbers, the last one is the pid.
    var headlinePattern: String {
        switch self {
        case .potential: return #"^DEPT: potential deadlock: circular dependency of ([0-9]+) events \(pid ([0-9]+)\)$"#
        case .deadlock:  return #"^DEPT: deadlock: ([0-9]+) threads wait for each other \(pid ([0-9]+)\)$"#
        case .hang:      return #"^DEPT: hang: no thread made progress for ([0-9]+) ms, ([0-9]+) threads blocked \(pid ([0-9]+)\)$"#
        }
    }

    /// Every potential or actual deadlock report ends the run with `exitcode`.
    var setsExitCode: Bool { self != .hang }
}

/// A report cut out of a stream: from its headline to the first following
/// `SUMMARY: DEPT: ` line (inclusive), or to the end when there is none.
struct ParsedReport {
    let kind: ReportKind
    let headline: String
    /// The numbers of the headline, in order (the last one is the pid).
    let numbers: [Int]
    let lines: [String]
    var text: String { lines.joined(separator: "\n") }
    var pid: Int { numbers.last ?? -1 }
    /// `<n>` in "circular dependency of <n> events" / "<n> threads wait" /
    /// "<n> threads blocked".
    var count: Int {
        switch kind {
        case .potential, .deadlock: return numbers.first ?? -1
        case .hang: return numbers.count > 1 ? numbers[1] : -1
        }
    }
}

func makeRegex(_ pattern: String, _ options: NSRegularExpression.Options = []) -> NSRegularExpression {
    try! NSRegularExpression(pattern: pattern, options: options)
}

func firstMatch(_ re: NSRegularExpression, _ s: String) -> NSTextCheckingResult? {
    re.firstMatch(in: s, options: [], range: NSRange(s.startIndex..., in: s))
}

func splitLines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
    }
}

/// Lines that start a report of any kind (the `DEPT:` lines that are not warnings).
let anyHeadlinePrefixes = ["DEPT: potential deadlock:", "DEPT: deadlock:", "DEPT: hang:"]

func parseReports(_ text: String, kind: ReportKind) -> [ParsedReport] {
    let all = splitLines(text)
    let re = makeRegex(kind.headlinePattern)
    var reports: [ParsedReport] = []
    var i = 0
    while i < all.count {
        let line = all[i]
        if let m = firstMatch(re, line) {
            var numbers: [Int] = []
            for g in 1..<m.numberOfRanges {
                if let r = Range(m.range(at: g), in: line) { numbers.append(Int(line[r]) ?? -1) }
            }
            var j = i + 1
            var body = [line]
            while j < all.count {
                body.append(all[j])
                if all[j].hasPrefix("SUMMARY: DEPT: ") { break }
                // Another report begins: this one had no SUMMARY line.
                if anyHeadlinePrefixes.contains(where: { all[j].hasPrefix($0) }) { body.removeLast(); j -= 1; break }
                j += 1
            }
            reports.append(ParsedReport(kind: kind, headline: line, numbers: numbers, lines: body))
            i = j + 1
        } else {
            i += 1
        }
    }
    return reports
}

// MARK: - Object names

/// How a report may name an object of an example.
struct ObjectNameCheck {
    let name: String
    /// Regexes of which at least one must match the report text.
    let patterns: [NSRegularExpression]
    let explanation: String

    func found(in text: String) -> Bool { patterns.contains { firstMatch($0, text) != nil } }
}

/// A static object named by its symbol, inside parentheses after an
/// operation: `pthread_mutex_lock(A)`, `(A:0)`, `(A@...)`, `(bank::checking+0)`.
func symbolNamePattern(_ name: String) -> NSRegularExpression {
    makeRegex(#"\(&?"# + NSRegularExpression.escapedPattern(for: name) + #"(?:[)@ +:,\[]|$)"#, [.anchorsMatchLines])
}

func symbolNameCheck(_ name: String) -> ObjectNameCheck {
    ObjectNameCheck(name: name, patterns: [symbolNamePattern(name)], explanation: "(\(name)...)")
}

/// Builds the accepted spellings of the objects named by an example header:
///  * a static object named by its symbol inside parentheses after an
///    operation: `pthread_mutex_lock(A)`, `(A:0)`, `(A@...)`, `(bank::checking+0)`;
///  * an object initialised at run time (`sem_init(&S1, ...)`,
///    `pthread_mutex_init(&M, ...)`, `efd_e = eventfd(...)`) may instead be
///    named by its init site, `init@<file>:<line>` of that call;
///  * a heap class is listed by its init FUNCTION (`x_new`): that name may
///    appear anywhere in the report (a frame of the init stack), or the report
///    may name the class `init@<file>:<line>` of an init call inside it.
func objectNameChecks(for header: ExampleHeader) -> [ObjectNameCheck] {
    let source = header.sourceText
    let srcLines = splitLines(source)
    let file = header.source.lastPathComponent
    let initCall = #"(pthread_mutex_init|pthread_rwlock_init|pthread_cond_init|pthread_spin_init|sem_init)\s*\(\s*&\s*"#

    func initSitePattern(_ lineNumber: Int) -> NSRegularExpression {
        makeRegex(#"init@([^\s()]*/)?"# + NSRegularExpression.escapedPattern(for: file) + ":\(lineNumber)" + #"(?![0-9])"#)
    }

    return header.objects.map { name in
        let esc = NSRegularExpression.escapedPattern(for: name)
        var patterns = [symbolNamePattern(name)]
        var why = ["(\(name)...)"]

        // Run-time initialisation of the object itself.
        let selfInit = makeRegex("(" + initCall + esc + #"\b)|(\b"# + esc + #"\s*=\s*eventfd\s*\()"#)
        for (idx, l) in srcLines.enumerated() where firstMatch(selfInit, l) != nil {
            patterns.append(initSitePattern(idx + 1))
            why.append("init@\(file):\(idx + 1)")
        }

        // An init function (a heap class): `name(...) {` defined in the source.
        let definition = makeRegex(#"\b"# + esc + #"\s*\([^;{)]*\)\s*(\{|$)"#)
        if let defLine = srcLines.firstIndex(where: { l in
            firstMatch(definition, l) != nil && !l.trimmingCharacters(in: .whitespaces).hasPrefix("//")
                && !l.hasPrefix(" ") && !l.hasPrefix("\t")       // a definition starts in column 0
        }) {
            patterns.append(makeRegex(#"\b"# + esc + #"\b"#))
            why.append("\(name) anywhere")
            let anyInit = makeRegex(initCall + #"|=\s*eventfd\s*\("#)
            var i = defLine + 1
            while i < srcLines.count, !srcLines[i].hasPrefix("}") {
                if firstMatch(anyInit, srcLines[i]) != nil {
                    patterns.append(initSitePattern(i + 1))
                    why.append("init@\(file):\(i + 1)")
                }
                i += 1
            }
        }
        return ObjectNameCheck(name: name, patterns: patterns, explanation: why.joined(separator: " or "))
    }
}

// MARK: - Assertions

/// `DEPT: warning:` lines must never contain `deadlock` or `hang:` (DESIGN.md §5).
func assertWarningsWellFormed(_ text: String, context: String,
                              file: StaticString = #filePath, line: UInt = #line) {
    for l in splitLines(text) where l.hasPrefix("DEPT: warning:") {
        let lower = l.lowercased()
        if lower.contains("deadlock") || lower.contains("hang:") {
            XCTFail("a `DEPT: warning:` line contains `deadlock` or `hang:`: \(l)\n\(context)", file: file, line: line)
        }
    }
}

/// Checks one report block; returns the problems found (empty: it is fine).
func reportProblems(_ report: ParsedReport, expectedPid: Int32?, events: ClosedRange<Int>?,
                    objects: [ObjectNameCheck], mustContain: [String]) -> [String] {
    var problems: [String] = []
    if let pid = expectedPid, report.pid != Int(pid) {
        problems.append("headline pid \(report.pid), expected \(pid)")
    }
    if report.pid <= 0 { problems.append("headline pid \(report.pid) is not a pid") }
    if report.count < 1 { problems.append("headline count \(report.count) is not positive") }
    if let events = events, !events.contains(report.count) {
        problems.append("headline says \(report.count), expected \(events.lowerBound == events.upperBound ? "\(events.lowerBound)" : "\(events)")")
    }
    let ls = report.lines
    let trimmed = ls.map { $0.trimmingCharacters(in: .whitespaces) }
    if !ls.contains(where: { $0.hasPrefix("SUMMARY: DEPT: ") }) {
        problems.append("no line starting `SUMMARY: DEPT: ` after the headline")
    }
    if !ls.contains(where: { $0.contains("key: ") }) {
        problems.append("no `key: ` line (the dedup key)")
    }
    for tag in ["[S]", "[W]", "[E]"] {
        if !ls.contains(where: { $0.contains(tag + ":") }) {
            problems.append("no legend line `\(tag):`")
        }
        if !trimmed.contains(where: { $0.hasPrefix(tag + " ") }) {
            problems.append("no `\(tag) ` line")
        }
    }
    let text = report.text
    for check in objects where !check.found(in: text) {
        problems.append("object \(check.name) not named (accepted: \(check.explanation))")
    }
    for needle in mustContain where !text.contains(needle) {
        problems.append("report does not contain `\(needle)`")
    }
    return problems
}

/// Asserts that `text` (stderr or a log file) holds a well-formed report of
/// `kind` naming every one of `objects`. Several reports of the same kind are
/// fine as long as one of them passes every check.
@discardableResult
func assertReportText(_ text: String, kind: ReportKind, header: ExampleHeader?, objects: [String]? = nil,
                      pid: Int32?, events: ClosedRange<Int>? = nil, mustContain: [String] = [],
                      mustMatch: [(String, NSRegularExpression)] = [], context: String,
                      file: StaticString = #filePath, line: UInt = #line) -> ParsedReport? {
    let reports = parseReports(text, kind: kind)
    guard !reports.isEmpty else {
        XCTFail("no `\(kind.rawValue)` report: expected a line matching /\(kind.headlinePattern)/\n\(context)",
                file: file, line: line)
        return nil
    }
    // Names from the example header get their accepted spellings from the
    // source (init sites, init functions); any other name must appear as a
    // symbol in parentheses.
    let headerChecks = header.map(objectNameChecks(for:)) ?? []
    let objectChecks: [ObjectNameCheck] = (objects ?? header?.objects ?? []).map { n in
        headerChecks.first { $0.name == n } ?? symbolNameCheck(n)
    }
    var all: [String] = []
    for (i, report) in reports.enumerated() {
        var problems = reportProblems(report, expectedPid: pid, events: events, objects: objectChecks, mustContain: mustContain)
        for (what, re) in mustMatch where firstMatch(re, report.text) == nil {
            problems.append("report does not show \(what) (/\(re.pattern)/)")
        }
        if problems.isEmpty { return report }
        all.append("report \(i + 1) of \(reports.count) (\(report.headline)):\n  - " + problems.joined(separator: "\n  - "))
    }
    XCTFail("no `\(kind.rawValue)` report passes the checks:\n" + all.joined(separator: "\n") + "\n\(context)",
            file: file, line: line)
    return nil
}

/// Asserts a report of `kind` on the run's stderr (see `assertReportText`),
/// well-formed warnings, and, for potential/deadlock reports, the exit status
/// `exitCode` (the default `exitcode` option is 66).
@discardableResult
func assertReport(_ run: RunResult, kind: ReportKind, example: BuiltExample? = nil, objects: [String]? = nil,
                  events: ClosedRange<Int>? = nil, mustContain: [String] = [], mustMatch: [(String, NSRegularExpression)] = [],
                  exitCode: Int32? = 66,
                  file: StaticString = #filePath, line: UInt = #line) -> ParsedReport? {
    XCTAssertFalse(run.timedOut, "the run timed out\n\(run.transcript)", file: file, line: line)
    let report = assertReportText(run.stderr, kind: kind, header: example?.header, objects: objects, pid: run.pid,
                                  events: events, mustContain: mustContain, mustMatch: mustMatch,
                                  context: run.transcript, file: file, line: line)
    assertWarningsWellFormed(run.stderr, context: run.transcript, file: file, line: line)
    if kind.setsExitCode, let code = exitCode {
        XCTAssertTrue(run.exitedNormally && run.terminationStatus == code,
                      "expected exit status \(code) after a \(kind.rawValue) report, got \(run.statusDescription)\n\(run.transcript)",
                      file: file, line: line)
    }
    return report
}

/// Asserts that the run printed no `DEPT:` line at all (or, with
/// `allowWarnings`, only well-formed `DEPT: warning:` lines), exited with
/// status 0, and, when `plainStdout` is given, printed exactly that.
func assertSilent(_ run: RunResult, allowWarnings: Bool = false, plainStdout: String? = nil,
                  file: StaticString = #filePath, line: UInt = #line) {
    let deptLines = run.stderrLines.filter { $0.hasPrefix("DEPT:") }
    let offending = allowWarnings ? deptLines.filter { !$0.hasPrefix("DEPT: warning:") } : deptLines
    XCTAssertTrue(offending.isEmpty, "expected no `DEPT:` \(allowWarnings ? "report" : "line") on stderr, found:\n"
                  + offending.joined(separator: "\n") + "\n\(run.transcript)", file: file, line: line)
    assertWarningsWellFormed(run.stderr, context: run.transcript, file: file, line: line)
    XCTAssertFalse(run.timedOut, "the run timed out\n\(run.transcript)", file: file, line: line)
    XCTAssertTrue(run.exitedNormally && run.terminationStatus == 0,
                  "expected exit status 0, got \(run.statusDescription)\n\(run.transcript)", file: file, line: line)
    if let expected = plainStdout {
        XCTAssertEqual(run.stdout, expected, "stdout under the preload differs from the plain run\n\(run.transcript)",
                       file: file, line: line)
    }
}

/// The program's stdout without the preload, if it is deterministic (two
/// plain runs print the same and exit 0); nil otherwise.
func deterministicPlainStdout(_ executable: String, _ arguments: [String] = [], timeout: TimeInterval = 60,
                              file: StaticString = #filePath, line: UInt = #line) -> String? {
    let first = runProgram(executable, arguments, preload: false, timeout: timeout)
    XCTAssertTrue(first.exitedNormally && first.exitCode == 0 && !first.timedOut,
                  "the program fails even without the preload\n\(first.transcript)", file: file, line: line)
    guard first.exitCode == 0 else { return nil }
    let second = runProgram(executable, arguments, preload: false, timeout: timeout)
    guard second.exitCode == 0, second.stdout == first.stdout else { return nil }
    return first.stdout
}

/// Asserts a silent run of an example under the preload, comparing its stdout
/// with the plain run's when that is deterministic. `compareStdout: false`
/// is for programs that print a scheduling-dependent number (two quick plain
/// runs may agree and still differ from a slower preloaded run).
func assertSilent(_ run: RunResult, example: BuiltExample, allowWarnings: Bool = false, compareStdout: Bool = true,
                  file: StaticString = #filePath, line: UInt = #line) {
    let plain = compareStdout ? deterministicPlainStdout(example.executable.path, file: file, line: line) : nil
    assertSilent(run, allowWarnings: allowWarnings, plainStdout: plain, file: file, line: line)
}
