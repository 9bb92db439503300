import CShim

/// The process-wide state behind the C ABI. Every access happens with the
/// shim's core lock held (the shim serialises calls into the core), except
/// report output, which works on a snapshot.
struct Runtime {
    var detector = Detector()
    var options = Options()
    var suppressions = Suppressions()
    /// A potential report was printed (changes the exit status only with
    /// fail_on_potential).
    var reportedPotential = false
    /// A live deadlock or hang was printed.
    var reportedLive = false
    /// Reports printed, for `stats=1`.
    var potentialReports = 0
    var liveReports = 0
    var suppressedCount = 0
    /// Potential reports printed as one line: another cycle of a family
    /// already printed (ReportFamily).
    var groupedReports = 0
    var families = ReportFamilies()
    var logFD: Int32 = 2
    var logPid: Int32 = 0
    var lostReports = 0
    var divertedReports = 0
    var divertedTo: String? = nil
    var logIdentity: FileIdentity? = nil
    var stderrIdentity: FileIdentity? = nil
    var reportedKeys: Set<String> = []
    /// The process that loaded dept (a fork child without exec is another).
    var startPid: Int32 = 0
    var exitLineWritten = false
}

nonisolated(unsafe) var runtime = Runtime()

/// Identity of a file descriptor's file, to notice when the program closed
/// it and the number now means something else.
struct FileIdentity: Equatable {
    var dev: UInt64
    var ino: UInt64
    var type: UInt32
    init?(fd: Int32) {
        var id = dept_file_id()
        guard dept_libc_file_id(fd, &id) == 0 else { return nil }
        dev = id.dev; ino = id.ino; type = id.type
    }
    var isRegularOrTerminal: Bool {
        type == UInt32(DEPT_FILE_REGULAR) || type == UInt32(DEPT_FILE_CHAR_DEVICE)
    }
}

/// The message of the calling thread's errno.
func errnoText() -> String { String(cString: dept_libc_strerror(dept_libc_errno())) }

/// Where reports go. stderr, as long as fd 2 is still the stderr the
/// process started with (or a file or terminal the program put there):
/// a program that closed its stderr and reused the number for a socket or
/// pipe of its own must not receive our text. Then reports go to
/// `$TMPDIR/dept.<pid>.log`, and the next usable stderr is told so.
/// With `log_path`, `<log_path>.<pid>`, reopened if the program closed it.
func outputFD() -> Int32 {
    let pid = dept_libc_getpid()
    if let prefix = runtime.options.logPath {
        if runtime.logPid == pid && runtime.logFD >= 0, let id = FileIdentity(fd: runtime.logFD), id == runtime.logIdentity {
            return runtime.logFD
        }
        let path = "\(prefix).\(pid)"
        if let fd = openLog(path) { return fd }
        let msg = "DEPT: warning: cannot open log_path file '\(path)': \(errnoText()); writing to stderr\n"
        runtime.options.logPath = nil
        if stderrUsable() { writeAll(2, msg) }
    }
    if stderrUsable() { return 2 }
    var dir = "/tmp"
    if let t = dept_libc_getenv("TMPDIR") { dir = String(cString: t) }
    let path = "\(dir)/dept.\(pid).log"
    if runtime.logPid == pid && runtime.logFD >= 0, let id = FileIdentity(fd: runtime.logFD), id == runtime.logIdentity {
        return runtime.logFD
    }
    if let fd = openLog(path) {
        runtime.divertedTo = path
        return fd
    }
    return -1
}

private func openLog(_ path: String) -> Int32? {
    var fd = dept_libc_open_append(path)
    guard fd >= 0 else { return nil }
    // Out of the way of descriptors the program counts on.
    let high = dept_libc_fd_high(fd)
    if high >= 0 { dept_libc_close(fd); fd = high }
    runtime.logFD = fd
    runtime.logPid = dept_libc_getpid()
    runtime.logIdentity = FileIdentity(fd: fd)
    return fd
}

func stderrUsable() -> Bool {
    guard let id = FileIdentity(fd: 2) else { return false }
    return id == runtime.stderrIdentity || id.isRegularOrTerminal
}

@discardableResult
func writeAll(_ fd: Int32, _ s: String) -> Bool {
    var copy = s
    return copy.withUTF8 { buf in dept_libc_write_all(fd, buf.baseAddress, buf.count) == 0 }
}

/// Everything fd has to give until end of file.
func readAll(_ fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { dept_libc_read(fd, $0.baseAddress, $0.count) }
        if n > 0 { bytes += buf[0..<n] } else if n < 0 && dept_libc_errno() == EINTR { continue } else { break }
    }
    return bytes
}

func emit(_ s: String) {
    let fd = outputFD()
    if fd < 0 || !writeAll(fd, s) {
        // Nowhere to write: count it and say so at the next chance.
        runtime.lostReports += 1
    } else if fd != 2, runtime.divertedTo != nil {
        runtime.divertedReports += 1
    }
}

func loadSuppressions() {
    guard let path = runtime.options.suppressions else { return }
    let fd = dept_libc_open_read(path)
    if fd < 0 {
        emit("DEPT: warning: cannot read suppressions file '\(path)': \(errnoText()); no suppressions applied\n")
        return
    }
    let bytes = readAll(fd)
    dept_libc_close(fd)
    let (s, problems) = Suppressions.parse(String(decoding: bytes, as: UTF8.self))
    for p in problems { emit("DEPT: warning: suppressions file '\(path)': \(p)\n") }
    if let note = s.skippedNote { emit("DEPT: info: suppressions file '\(path)': \(note)\n") }
    runtime.suppressions = s
}

/// The process's command line from /proc/self/cmdline (arguments joined
/// by spaces), for the start-up line `dept run` groups processes by.
func commandLine() -> String {
    let fd = dept_libc_open_read("/proc/self/cmdline")
    guard fd >= 0 else { return "?" }
    defer { _ = dept_libc_close(fd) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while bytes.count < 65536 {
        let n = dept_libc_read(fd, &buf, buf.count)
        if n > 0 { bytes += buf[0..<n] } else if n < 0 && dept_libc_errno() == EINTR { continue } else { break }
    }
    while bytes.last == 0 { bytes.removeLast() }
    return String(decoding: bytes.map { $0 == 0 || $0 == 10 ? 32 : $0 }, as: UTF8.self)
}
