import CShim
import DeptCore
import Glibc

/// The process-wide state behind the C ABI. Every access happens with the
/// shim's core lock held (the shim serialises calls into the core), except
/// report output, which works on a snapshot.
struct Runtime {
    var detector = Detector()
    var options = Options()
    var suppressions = Suppressions()
    var reportedDeadlock = false
    var suppressedCount = 0
    var logFD: Int32 = 2
    var logPid: Int32 = 0
    var lostReports = 0
    var reportedKeys: Set<String> = []
}

nonisolated(unsafe) var runtime = Runtime()

/// Where reports go: stderr, or `<log_path>.<pid>` opened on first use (so
/// a forked child writes its own file).
func outputFD() -> Int32 {
    guard let prefix = runtime.options.logPath else { return 2 }
    let pid = getpid()
    if runtime.logPid == pid && runtime.logFD >= 0 { return runtime.logFD }
    let path = "\(prefix).\(pid)"
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    if fd < 0 {
        let msg = "DEPT: warning: cannot open log_path file '\(path)': \(String(cString: strerror(errno))); writing to stderr\n"
        writeAll(2, msg)
        runtime.options.logPath = nil
        return 2
    }
    runtime.logFD = fd
    runtime.logPid = pid
    return fd
}

@discardableResult
func writeAll(_ fd: Int32, _ s: String) -> Bool {
    var ok = true
    var copy = s
    copy.withUTF8 { buf in
        var p = buf.baseAddress!, left = buf.count
        while left > 0 {
            let n = write(fd, p, left)
            if n < 0 { if errno == EINTR { continue }; ok = false; return }
            p += n; left -= n
        }
    }
    return ok
}

func emit(_ s: String) {
    if !writeAll(outputFD(), s) {
        // stderr closed or broken: count it and say so at the next chance.
        runtime.lostReports += 1
    }
}

func loadSuppressions() {
    guard let path = runtime.options.suppressions else { return }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
        emit("DEPT: warning: cannot read suppressions file '\(path)': \(String(cString: strerror(errno))); no suppressions applied\n")
        return
    }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &buf, buf.count)
        if n > 0 { bytes += buf[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
    }
    close(fd)
    let (s, problems) = Suppressions.parse(String(decoding: bytes, as: UTF8.self))
    for p in problems { emit("DEPT: warning: suppressions file '\(path)': \(p)\n") }
    runtime.suppressions = s
}
