/// Which frames of a stack belong to the threading runtime, and which frame
/// a report points at.
///
/// Every stack dept captures starts inside the runtime that wraps the
/// pthread call (`__gthread_mutex_lock`, `std::mutex::lock`,
/// `std::lock_guard` inlined from system headers, Foundation's `NSLock`) and
/// ends in the machinery that started the thread (`std::thread`'s invoker,
/// `start_thread`, `clone3`, `__libc_start_main`, `_start`). A developer
/// reads the frames between, in their own code: a SUMMARY line, a SARIF
/// location or a DOT label at `gthr-default.h:749` helps nobody, and code
/// scanning cannot annotate a system header. So reports point at the first
/// frame outside the runtime, and the text folds runtime frames away (JSON
/// keeps every frame).
public enum RuntimeFrames {
    /// Shared objects of the C, C++ and Swift runtimes, the loader and dept
    /// itself (file-name prefixes).
    static let modulePrefixes = [
        "libc.so", "libc-", "libpthread", "ld-linux", "ld-musl", "libgcc_s", "libstdc++", "libc++",
        "libdept", "libswiftCore", "libswift_", "libswiftDispatch", "libswiftGlibc", "libFoundation",
        "libdispatch", "libBlocksRuntime",
    ]
    /// Where system headers live: code inlined from them (`std::mutex`,
    /// `std::thread`, `std::lock_guard`) is the runtime's, whatever module
    /// it was compiled into.
    static let headerPrefixes = ["/usr/include/", "/usr/local/include/c++/", "/usr/lib/gcc/", "/usr/lib/llvm-"]
    /// The program's entry point, linked into every executable from crt1.o.
    static let entryFunctions = ["_start"]

    /// Names of runtime modules, functions and files as they appear in
    /// every report of a program that uses them: a suppression pattern
    /// that matches one of these suppresses everything.
    public static let samples = [
        "libc.so.6", "libstdc++.so.6", "libc++.so.1", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "libdept.so",
        "libswiftCore.so", "libFoundation.so", "libdispatch.so",
        "start_thread", "clone3", "__libc_start_main", "__libc_start_call_main", "_start",
        "__gthread_mutex_lock", "__gthread_mutex_lock(pthread_mutex_t*)", "std::mutex::lock", "std::mutex::lock()",
        "std::thread::_State_impl<std::thread::_Invoker<std::tuple<void (*)()>>>::_M_run()",
        "/usr/include/c++/12/bits/std_mutex.h", "std_mutex.h", "gthr-default.h", "std_thread.h",
        "./nptl/pthread_create.c", "pthread_create.c", "clone3.S",
    ]

    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// A source file of a system header (code inlined from it is the runtime's).
    public static func isRuntimeFile(_ path: String) -> Bool {
        for p in headerPrefixes where path.hasPrefix(p) { return true }
        return false
    }

    /// A frame of the runtime (see above).
    public static func isRuntime(_ f: Frame) -> Bool {
        if !f.module.isEmpty {
            let name = fileName(f.module)
            for p in modulePrefixes where name.hasPrefix(p) { return true }
        }
        if let file = f.file {
            for p in headerPrefixes where file.hasPrefix(p) { return true }
        }
        if let fn = f.function {
            for e in entryFunctions where fn == e { return true }
        }
        return false
    }

    /// The frame a report points at: under `sourceRoot`, the first frame
    /// whose source file lies inside it; else the first frame outside the
    /// runtime; else the first frame. Frames of the program's own lock
    /// wrappers (Frame.wrapsLock) are passed over like the runtime's: every
    /// lock of such a program is taken at the wrapper's line. But not for a
    /// frame that names nothing, in no module and no function (code a
    /// runtime generated: Racket's headline read `S_tc_mutex+16 (+0x0)`
    /// past its `S_mutex_acquire`): the wrapper says more.
    public static func best(_ stack: [Frame], sourceRoot: String? = nil) -> Frame? {
        if let root = sourceRoot, !root.isEmpty {
            let prefix = root.hasSuffix("/") ? root : root + "/"
            for f in stack where !isRuntime(f) && !f.wrapsLock {
                if let file = f.file, file.hasPrefix(prefix) { return f }
            }
        }
        for f in stack where !isRuntime(f) && !f.wrapsLock {
            if f.function == nil && f.module.isEmpty { break }
            return f
        }
        for f in stack where !isRuntime(f) { return f }
        return stack.first
    }

    /// The frames the text shows, with their index in the full stack:
    /// those outside the runtime, or every frame when all of them are the
    /// runtime's (a lock taken inside a library is still worth seeing).
    public static func shown(_ stack: [Frame]) -> [(index: Int, frame: Frame)] {
        var out: [(index: Int, frame: Frame)] = []
        for (i, f) in stack.enumerated() where !isRuntime(f) { out.append((i, f)) }
        if out.isEmpty {
            for (i, f) in stack.enumerated() { out.append((i, f)) }
        }
        return out
    }
}
