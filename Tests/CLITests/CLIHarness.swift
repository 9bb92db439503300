// Harness of the CLI tests: runs the built `dept-cli` (and the programs it
// watches) as subprocesses, exactly as a user would. Nothing here imports
// DeptCore.
//
// The tests use the *release* products (the test command is
// `swift build -c release && swift test`):
//   <package root>/.build/release/dept-cli and libdept.so
// DEPT_BUILD_DIR overrides the build directory (absolute, or relative to the
// package root). Set DEPT_CLI_KEEP=1 to keep the scratch directory.

import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

private var cliScratchToRemove: String?

enum CLIPaths {
    /// <root>/Tests/CLITests/CLIHarness.swift → <root>
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .standardizedFileURL

    static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures", isDirectory: true)
    static let examples = packageRoot.appendingPathComponent("Examples", isDirectory: true)
    static let reportSchema = packageRoot.appendingPathComponent("docs/report-schema.json")
    static let sarifSchema = fixtures.appendingPathComponent("sarif-schema-2.1.0.json")

    static var buildDir: URL {
        if let dir = ProcessInfo.processInfo.environment["DEPT_BUILD_DIR"], !dir.isEmpty {
            if dir.hasPrefix("/") { return URL(fileURLWithPath: dir, isDirectory: true).standardizedFileURL }
            return packageRoot.appendingPathComponent(dir, isDirectory: true).standardizedFileURL
        }
        return packageRoot.appendingPathComponent(".build/release", isDirectory: true)
    }

    static var cli: URL { buildDir.appendingPathComponent("dept-cli") }
    static var library: URL { buildDir.appendingPathComponent("libdept.so") }

    static let scratch: URL = {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("dept-cli-tests-\(getpid())-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if ProcessInfo.processInfo.environment["DEPT_CLI_KEEP"] == nil {
            cliScratchToRemove = dir.path
            atexit { if let p = cliScratchToRemove { try? FileManager.default.removeItem(atPath: p) } }
        }
        return dir
    }()

    static func tempDir(_ label: String) throws -> URL {
        let dir = scratch.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Fails the test unless dept-cli and libdept.so are built.
func requireBuild(file: StaticString = #filePath, line: UInt = #line) throws {
    for (what, url) in [("dept-cli", CLIPaths.cli), ("libdept.so", CLIPaths.library)]
    where !FileManager.default.fileExists(atPath: url.path) {
        let msg = "\(what) not found at \(url.path): run `swift build -c release` first (or set DEPT_BUILD_DIR)"
        XCTFail(msg, file: file, line: line)
        throw CLIError(msg)
    }
}

// MARK: - Running processes

struct ProcResult {
    var command: [String]
    var status: Int32
    /// false: killed by signal `status`.
    var exited: Bool
    var stdout: String
    var stderr: String
    var timedOut: Bool

    var transcript: String {
        "$ \(command.joined(separator: " "))\n--- status: \(exited ? "exit \(status)" : "signal \(status)")\(timedOut ? " (TIMED OUT)" : "")\n--- stdout:\n\(stdout)\n--- stderr:\n\(stderr)"
    }
}

/// The environment for the runs: the test's own, without anything of dept
/// that could leak in from the outside.
func cleanEnvironment(_ overrides: [String: String?] = [:]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    for k in ["LD_PRELOAD", "DEPT_OPTIONS", "DEPT_LIBRARY"] { env[k] = nil }
    // dept run's per-run directories (kept when something was reported) go
    // into the scratch directory, which is removed at exit.
    env["TMPDIR"] = CLIPaths.scratch.path
    for (k, v) in overrides { env[k] = v }
    return env
}

/// Runs `executable args` with stdout/stderr going to files (no pipe can
/// fill up); kills it after `timeout` seconds.
func runProcess(_ executable: String, _ args: [String], env: [String: String]? = nil, cwd: URL? = nil,
                timeout: TimeInterval = 120, onStart: ((Process, URL) -> Void)? = nil) throws -> ProcResult {
    let dir = try CLIPaths.tempDir("proc")
    let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    p.environment = env ?? cleanEnvironment()
    if let cwd { p.currentDirectoryURL = cwd }
    p.standardInput = FileHandle.nullDevice
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    p.standardError = try FileHandle(forWritingTo: errURL)
    let done = DispatchSemaphore(value: 0)
    p.terminationHandler = { _ in done.signal() }
    try p.run()
    onStart?(p, outURL)
    var timedOut = false
    if done.wait(timeout: .now() + timeout) == .timedOut {
        timedOut = true
        kill(p.processIdentifier, SIGKILL)
        // Bounded: never let a lost termination notice hang the suite.
        _ = done.wait(timeout: .now() + 10)
    }
    let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    if timedOut { return ProcResult(command: [executable] + args, status: SIGKILL, exited: false, stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                                    stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "", timedOut: true) }
    return ProcResult(command: [executable] + args, status: p.terminationStatus, exited: p.terminationReason == .exit,
                      stdout: out, stderr: err, timedOut: timedOut)
}

/// Runs `dept-cli args`.
func dept(_ args: [String], env: [String: String]? = nil, cwd: URL? = nil, timeout: TimeInterval = 120,
          onStart: ((Process, URL) -> Void)? = nil) throws -> ProcResult {
    try runProcess(CLIPaths.cli.path, args, env: env, cwd: cwd, timeout: timeout, onStart: onStart)
}

// MARK: - Building the programs

final class ProgramCache {
    static let shared = ProgramCache()
    private let lock = NSLock()
    private var built: [String: URL] = [:]
    let binDir: URL = {
        let d = CLIPaths.scratch.appendingPathComponent("bin", isDirectory: true)
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    /// Compiles `source` (a C file) once per test process into bin/<name>.
    func build(_ name: String, from source: URL, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        lock.lock(); defer { lock.unlock() }
        if let u = built[name] { return u }
        let out = binDir.appendingPathComponent(name)
        let r = try runProcess("/bin/sh", ["-c", "cc -g -O0 -pthread -o \"$0\" \"$1\"", out.path, source.path], timeout: 120)
        guard r.exited && r.status == 0 else {
            let msg = "cannot build \(name):\n\(r.transcript)"
            XCTFail(msg, file: file, line: line)
            throw CLIError(msg)
        }
        built[name] = out
        return out
    }

    func example(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        try build(name, from: CLIPaths.examples.appendingPathComponent("\(name).c"), file: file, line: line)
    }

    func fixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        try build(name, from: CLIPaths.fixtures.appendingPathComponent("\(name).c"), file: file, line: line)
    }

    /// The three programs of Tests/Fixtures/three_programs.sh, in bin/.
    func threePrograms(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        _ = try example("abba", file: file, line: line)
        _ = try example("consistent_order", file: file, line: line)
        _ = try fixture("fork_abba", file: file, line: line)
        return binDir
    }
}

// MARK: - JSON and schemas

func jsonObject(_ text: String) throws -> Any {
    guard let data = text.data(using: .utf8) else { throw CLIError("not UTF-8") }
    return try JSONSerialization.jsonObject(with: data)
}

/// Validates each JSON file in `instances` against `schema` with python3's
/// jsonschema (the validator class the schema's $schema names). With
/// `eachLine`, every line of each file that starts with "{" is one instance.
/// Returns the errors (empty: valid).
func validateWithJSONSchema(schema: URL, instances: [URL], eachLine: Bool = false, arrayElements: Bool = false) throws -> [String] {
    let script = """
    import json, sys
    import jsonschema
    schema = json.load(open(sys.argv[1]))
    mode = sys.argv[2]
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    v = cls(schema, format_checker=cls.FORMAT_CHECKER)
    errors = 0
    count = 0
    for path in sys.argv[3:]:
        docs = []
        if mode == "lines":
            for n, line in enumerate(open(path), 1):
                if line.startswith("{"):
                    docs.append(("%s:%d" % (path, n), json.loads(line)))
        elif mode == "array":
            for i, o in enumerate(json.load(open(path))):
                docs.append(("%s[%d]" % (path, i), o))
        else:
            docs.append((path, json.load(open(path))))
        for where, doc in docs:
            count += 1
            for e in v.iter_errors(doc):
                errors += 1
                print("%s: %s: %s" % (where, e.json_path, e.message[:400]))
    print("validated %d instance(s) with %s, %d error(s)" % (count, cls.__name__, errors))
    sys.exit(1 if errors or count == 0 else 0)
    """
    let mode = eachLine ? "lines" : arrayElements ? "array" : "whole"
    guard let python = CLIPaths.which("python3") else { throw CLIError("python3 not on PATH") }
    let r = try runProcess(python, ["-c", script, schema.path, mode] + instances.map(\.path), timeout: 120)
    if r.exited && r.status == 0 { return [] }
    return [r.transcript]
}

// MARK: - Reading dept output

/// "started <name> <pid>" lines of three_programs.sh, and fork_abba's
/// "parent <pid> child <pid>".
struct ThreeProgramPids {
    var byName: [String: Int] = [:]
    var forkParent = -1
    var forkChild = -1

    init(_ stdout: String) {
        for line in stdout.split(separator: "\n") {
            let w = line.split(separator: " ")
            if w.count == 3, w[0] == "started", let pid = Int(w[2]) { byName[String(w[1])] = pid }
            if w.count == 5, w[0] == "fork_abba:", w[1] == "parent", let p = Int(w[2]), let c = Int(w[4]) {
                forkParent = p; forkChild = c
            }
        }
    }
}

/// The reports of a `--format json` array (warnings left out).
func reports(in array: Any) -> [[String: Any]] {
    ((array as? [Any]) ?? []).compactMap { $0 as? [String: Any] }.filter { ($0["kind"] as? String) != "warning" }
}

func pids(_ report: [String: Any]) -> [Int] {
    ((report["appeared_in"] as? [Any]) ?? []).compactMap { (($0 as? [String: Any])?["pid"] as? NSNumber)?.intValue }
}

/// Every object name in a report's contexts.
func objects(_ report: [String: Any]) -> Set<String> {
    var out: Set<String> = []
    for c in (report["contexts"] as? [Any]) ?? [] {
        guard let c = c as? [String: Any] else { continue }
        for k in ["start", "wait", "event"] {
            if let p = c[k] as? [String: Any], let o = p["object"] as? String { out.insert(o) }
        }
    }
    return out
}

/// Every function name in the stacks of a report's contexts.
func functions(_ report: [String: Any]) -> Set<String> {
    var out: Set<String> = []
    for c in (report["contexts"] as? [Any]) ?? [] {
        guard let c = c as? [String: Any] else { continue }
        for k in ["start", "wait", "event"] {
            guard let p = c[k] as? [String: Any], let st = p["stack"] as? [Any] else { continue }
            for f in st { if let fn = (f as? [String: Any])?["function"] as? String { out.insert(fn) } }
        }
    }
    return out
}
