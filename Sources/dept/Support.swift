import ArgumentParser
import Foundation
import DeptCore
#if canImport(Glibc)
import Glibc
#endif

/// An error of dept itself (not of the program it runs): printed as
/// `dept: error: <message>` and turned into exit status `code`.
struct DeptError: Error, CustomStringConvertible {
    var message: String
    var code: Int32
    init(_ message: String, code: Int32 = 2) { self.message = message; self.code = code }
    var description: String { message }
}

/// Runs `body`, printing a DeptError the dept way and exiting with its code.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as DeptError {
        printError(e.message)
        throw ExitCode(e.code)
    }
}

func printError(_ message: String) {
    writeStderr("dept: error: \(message)\n")
}

func printNote(_ message: String) {
    writeStderr("dept: \(message)\n")
}

func writeStderr(_ s: String) {
    writeAll(2, s)
}

func writeStdout(_ s: String) {
    writeAll(1, s)
}

/// Writes everything, retrying on EINTR and short writes.
@discardableResult
func writeAll(_ fd: Int32, _ s: String) -> Bool {
    var ok = true
    var copy = s
    copy.withUTF8 { buf in
        guard var p = buf.baseAddress else { return }
        var left = buf.count
        while left > 0 {
            let n = write(fd, p, left)
            if n < 0 { if errno == EINTR { continue }; ok = false; return }
            p += n; left -= n
        }
    }
    return ok
}

func errnoText(_ e: Int32 = errno) -> String { String(cString: strerror(e)) }

/// Writes `text` to `path`, or to stdout when `path` is nil.
func emitOutput(_ text: String, to path: String?) throws {
    guard let path else { writeStdout(text); return }
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if fd < 0 { throw DeptError("cannot write output file '\(path)': \(errnoText())") }
    defer { close(fd) }
    if !writeAll(fd, text) { throw DeptError("cannot write output file '\(path)': \(errnoText())") }
}

/// Checks early (before a long run) that the output file can be written.
func checkWritable(_ path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
    if fd < 0 { throw DeptError("cannot write output file '\(path)': \(errnoText())") }
    close(fd)
}

/// Reads a whole file as UTF-8 text (lossy), with a clear error.
func readTextFile(_ path: String, what: String) throws -> String {
    var st = stat()
    if stat(path, &st) != 0 { throw DeptError("cannot read \(what) '\(path)': \(errnoText())") }
    if (st.st_mode & S_IFMT) == S_IFDIR { throw DeptError("cannot read \(what) '\(path)': it is a directory") }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw DeptError("cannot read \(what) '\(path)': \(errnoText())") }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = read(fd, &buf, buf.count)
        if n > 0 { bytes += buf[0..<n] }
        else if n < 0 && errno == EINTR { continue }
        else if n < 0 { throw DeptError("cannot read \(what) '\(path)': \(errnoText())") }
        else { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}

func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

/// `path` made absolute against the current directory (not resolving links).
func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    let cwd = FileManager.default.currentDirectoryPath
    return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path
}

func basename(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}

func dirname(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}

/// The real path of this executable.
func selfExecutable() -> String {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    if n > 0 { buf[n] = 0; return String(cString: buf) }
    return absolutePath(CommandLine.arguments.first ?? "dept")
}

/// An executable found on PATH (or the given absolute/relative path), or nil.
func findExecutable(_ name: String, extra: [String] = []) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    for candidate in extra where access(candidate, X_OK) == 0 { return candidate }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for dir in path.split(separator: ":") where !dir.isEmpty {
        let candidate = "\(dir)/\(name)"
        if access(candidate, X_OK) == 0 && !isDirectory(candidate) { return candidate }
    }
    return nil
}

/// A JSON string literal: the core's encoder, so library and CLI escape alike.
func jsonString(_ s: String) -> String { JSONReport.str(s) }

/// Runs a helper tool (never under the preload), feeding `input` on stdin;
/// returns its exit status and stdout.
func runTool(_ tool: String, _ args: [String], input: String? = nil) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = args
    var env = ProcessInfo.processInfo.environment
    env["LD_PRELOAD"] = nil
    env["DEPT_OPTIONS"] = nil
    process.environment = env
    var inputURL: URL?
    if let input {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dept-in-\(getpid())-\(UUID().uuidString)")
        do {
            try input.write(to: url, atomically: false, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: url)
            inputURL = url
        } catch {
            return (-1, "")
        }
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    defer { if let u = inputURL { try? FileManager.default.removeItem(at: u) } }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return (-1, "") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
