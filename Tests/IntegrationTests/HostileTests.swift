// Hostile programs (issue 8, DESIGN.md §7 "Rules that come from living inside
// someone else's process"): each Examples/hostile_*.c is built, run once
// without the preload and once under LD_PRELOAD=libdept.so, and the two runs
// are compared:
//
//  * no crash: the preloaded run ends with exit(), not a signal (the
//    examples arm alarm(10), so a hang under the preload shows up as
//    SIGALRM, or as dept's own exit 66 after a hang report);
//  * no hang: neither run reaches the harness timeout (30 s);
//  * the program's own behaviour is unchanged: same stdout, same exit status
//    (hostile_close_stderr may also end with dept's 66, it reports an
//    inversion);
//  * the verdict of the example's `// expect:` line: `silent`: no `DEPT:` line
//    at all; `warning`: `DEPT: warning:` lines (at least one where the program
//    really misbehaves) and no line mentioning `deadlock` or `hang:`.
//
// Every test is independent and builds its example once per test process
// (ExampleBuilder caches).

import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class HostileTests: XCTestCase {

    static let timeout: TimeInterval = 30

    /// Examples this file covers; `test_everyHostileExampleIsCovered` fails
    /// when a hostile_* example is added without a test here.
    static let covered: Set<String> = [
        "hostile_fork_locked", "hostile_exec_static", "hostile_signal_lock", "hostile_cancel_condwait",
        "hostile_exit_holding", "hostile_pshared", "hostile_robust", "hostile_errorcheck", "hostile_dlopen",
        "hostile_ctor_atexit", "hostile_many_threads", "hostile_close_stderr", "hostile_destroy_locked",
        "hostile_many_held", "hostile_syscall", "hostile_null_object", "hostile_exit_teardown",
        "hostile_thread_churn", "hostile_sigchld", "hostile_cancel_holding", "hostile_fork_pool",
        "hostile_fork_allocator", "hostile_allocator_locks", "hostile_single_thread", "hostile_threads_then_alone",
        "hostile_clone_fork", "hostile_allocator_futex", "hostile_clone_vfork", "hostile_cancel_semwait",
        "hostile_lock_before_threads", "hostile_stop_the_world", "hostile_small_stack", "hostile_sigaction",
        "hostile_stop_the_world_objects", "hostile_altstack", "hostile_fiber",
    ]

    enum Verdict {
        /// No `DEPT:` line on stderr.
        case silent
        /// Only `DEPT: warning:` lines; `required`: at least one.
        case warning(required: Bool)
        /// The example reports a potential deadlock, but its stderr may be
        /// closed: nothing is asserted about stderr beyond well-formed warnings.
        case reportMayBeLost
    }

    struct Pair {
        let example: BuiltExample
        let plain: RunResult
        let preloaded: RunResult
    }

    // MARK: helpers

    /// Builds `name`, runs it plainly and under the preload (same arguments
    /// and extra environment), and checks everything but the verdict.
    @discardableResult
    func runBoth(_ name: String, _ args: [String] = [], env: [String: String] = [:],
                 expect: Expectation, extraExitCodes: Set<Int32> = [],
                 file: StaticString = #filePath, line: UInt = #line) throws -> Pair {
        _ = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        XCTAssertEqual(example.header.expect, expect, "\(name): the header no longer says `expect: \(expect.rawValue)`",
                       file: file, line: line)
        let exe = example.executable.path
        let plain = runProgram(exe, args, preload: false, env: env, timeout: Self.timeout)
        XCTAssertFalse(plain.timedOut, "\(name) hangs even without the preload\n\(plain.transcript)", file: file, line: line)
        XCTAssertTrue(plain.exitedNormally && plain.exitCode == 0,
                      "\(name) fails even without the preload (\(plain.statusDescription))\n\(plain.transcript)",
                      file: file, line: line)

        let run = runProgram(exe, args, preload: true, env: env, timeout: Self.timeout)
        let both = "--- plain run ---\n\(plain.transcript)\n--- preloaded run ---\n\(run.transcript)"
        XCTAssertFalse(run.timedOut, "\(name) hangs under the preload (harness timeout \(Int(Self.timeout)) s)\n\(both)",
                       file: file, line: line)
        if !run.exitedNormally {
            let sig = run.terminationStatus
            let what = sig == SIGALRM ? "killed by its own alarm(10): it hung or crawled under the preload"
                                      : "killed by signal \(sig) under the preload (a crash)"
            XCTFail("\(name): \(what)\n\(both)", file: file, line: line)
        } else if plain.exitedNormally {
            let allowed = Set([plain.terminationStatus]).union(extraExitCodes)
            XCTAssertTrue(allowed.contains(run.terminationStatus),
                          "\(name): exit status \(run.terminationStatus) under the preload, \(plain.terminationStatus) without"
                          + (extraExitCodes.isEmpty ? "" : " (also allowed: \(extraExitCodes.sorted()))")
                          + "\n\(both)", file: file, line: line)
        }
        XCTAssertEqual(run.stdout, plain.stdout, "\(name): stdout differs under the preload\n\(both)",
                       file: file, line: line)
        return Pair(example: example, plain: plain, preloaded: run)
    }

    func assertVerdict(_ pair: Pair, _ verdict: Verdict, file: StaticString = #filePath, line: UInt = #line) {
        let run = pair.preloaded
        let name = pair.example.name
        let dept = run.stderrLines.filter { $0.hasPrefix("DEPT:") }
        switch verdict {
        case .silent:
            XCTAssertEqual(dept, [], "\(name): expected no `DEPT:` line\n\(run.transcript)", file: file, line: line)
        case .warning(let required):
            let reports = run.stderrLines.filter { l in
                let lower = l.lowercased()
                return lower.contains("deadlock") || lower.contains("hang:")
            }
            XCTAssertEqual(reports, [], "\(name): expected only `DEPT: warning:` lines, no line mentioning `deadlock` or `hang:`\n\(run.transcript)",
                           file: file, line: line)
            let others = dept.filter { !$0.hasPrefix("DEPT: warning:") }
            XCTAssertEqual(others, [], "\(name): `DEPT:` lines other than warnings\n\(run.transcript)", file: file, line: line)
            if required {
                XCTAssertTrue(dept.contains { $0.hasPrefix("DEPT: warning:") },
                              "\(name): expected at least one `DEPT: warning:` line (the program misbehaves)\n\(run.transcript)",
                              file: file, line: line)
            }
        case .reportMayBeLost:
            break
        }
        assertWarningsWellFormed(run.stderr, context: run.transcript, file: file, line: line)
    }

    func check(_ name: String, _ args: [String] = [], expect: Expectation, _ verdict: Verdict,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let pair = try runBoth(name, args, expect: expect, file: file, line: line)
        assertVerdict(pair, verdict, file: file, line: line)
        // Every example ends its stdout with "<name>: done" (hostile_exec_static
        // through the static helper it finally execs).
        XCTAssertTrue(pair.preloaded.stdout.contains("\(name): done"),
                      "\(name) did not run to completion under the preload\n\(pair.preloaded.transcript)",
                      file: file, line: line)
    }

    // MARK: the hostile programs

    /// fork without exec while other threads hold locks (and one waits);
    /// the children lock their own locks, create and join a thread, exit 0.
    func test_fork_locked() throws {
        try check("hostile_fork_locked", expect: .silent, .silent)
    }

    /// A library linked into the program registers fork handlers before
    /// dept's constructor runs, and its prepare handler joins a worker that
    /// takes a lock on its way out (OpenBLAS under R's mclapply): every fork
    /// completes, as dept's prepare handler runs after it.
    func test_fork_pool() throws {
        try check("hostile_fork_pool", expect: .silent, .silent)
    }

    /// The program's own malloc holds its lock across fork and releases it
    /// in its child handler, which runs after dept's: dept's child handler
    /// must not allocate (the core forgets the parent's threads at the
    /// child's first core call instead). Chromium's zygote children hung.
    func test_fork_allocator() throws {
        try check("hostile_fork_allocator", expect: .silent, .silent)
    }

    /// Processes made by clone() and by the clone and fork system calls (no fork
    /// handlers run) while another thread keeps dept's object table and
    /// core busy: every child's own mutex works, none waits for a dept lock
    /// copied held. Chromium's launcher makes its children this way.
    func test_clone_fork() throws {
        try check("hostile_clone_fork", expect: .silent, .silent)
    }

    /// Processes made by clone() and SYS_clone with CLONE_VFORK, no
    /// CLONE_VM: the caller sleeps until its child exits, and the child
    /// waits for a byte another thread writes after making a mutex. dept
    /// holds none of its locks across such a clone (that thread would wait
    /// for them, and the child for it), and stays out of the child.
    func test_clone_vfork() throws {
        try check("hostile_clone_vfork", expect: .silent, .silent)
    }

    /// The program's own malloc takes a pthread mutex inside its heap lock
    /// while another thread is inside dept's core: the core must not
    /// allocate with the program's malloc (CShim/core_heap.c), not even by
    /// glibc's `__libc_malloc` names, which this program (like Chromium's
    /// allocator shim) defines too. Chromium's renderers and browser
    /// stopped that way.
    func test_allocator_locks() throws {
        try check("hostile_allocator_locks", expect: .silent, .silent)
    }

    /// The program's allocator waits for its heap lock through
    /// syscall(SYS_futex), and aborts if it is entered again from inside that
    /// wait: dept must not start its monitor thread (whose creation
    /// allocates) from a wait hook. pigz with tcmalloc preloaded crashed so.
    func test_allocator_futex() throws {
        try check("hostile_allocator_futex", expect: .silent, .silent)
    }

    /// A single-threaded program blocks in waits only its timer signal or a
    /// timeout ends, then checks that it has one thread, in itself and in a
    /// forked child: dept's hang monitor must not be started where it would
    /// be the process's second thread. Chromium's zygotes died of their
    /// single-thread CHECK.
    func test_single_thread() throws {
        try check("hostile_single_thread", expect: .silent, .silent)
    }

    /// Mutexes taken while the program is alone (dept's one-thread form, as
    /// glibc's: no locked instruction) keep glibc's word, owner and count,
    /// and one still held when a second thread sleeps on it wakes that
    /// thread at its unlock; a forked child locks on its own.
    func test_lock_before_threads() throws {
        try check("hostile_lock_before_threads", expect: .silent, .silent)
    }

    /// A program that had a second thread, blocked while main ran, joins it
    /// and checks that it is single-threaded again: dept's monitor, started
    /// for that block, must go once main is alone.
    func test_threads_then_alone() throws {
        try check("hostile_threads_then_alone", expect: .silent, .silent)
    }

    /// A static helper (no loader: the inherited LD_PRELOAD cannot apply) run
    /// by fork+exec, vfork+exec, posix_spawn and finally a plain execv of the
    /// whole process; /bin/true with the preload inherited.
    func test_exec_static() throws {
        try check("hostile_exec_static", expect: .silent, .silent)
    }

    /// A SIGUSR1 handler that takes a lock, 4000 times, while the interrupted
    /// threads take other locks.
    func test_signal_lock() throws {
        try check("hostile_signal_lock", expect: .silent, .silent)
    }

    /// A garbage collector's stop-the-world (mono's SGen, Boehm GC): a
    /// signal whose handler waits until the collector restarts the thread.
    /// Stopped inside dept's core, the worker kept the core lock, and the
    /// collector's next hook waited for it: the run hung every time (the
    /// example's alarm ends it after 10 s).
    func test_stop_the_world() throws {
        try check("hostile_stop_the_world", expect: .silent, .silent)
    }

    /// The same with a worker stopped inside dept's object table, whose
    /// lock is held a few instructions at a time: the collector's own
    /// pthread_mutex_init waited for it (3 runs of 5 hung). The program's
    /// handlers now wait until the thread holds none of dept's locks.
    func test_stop_the_world_objects() throws {
        try check("hostile_stop_the_world_objects", expect: .silent, .silent)
    }

    /// dept runs the program's signal handlers through a wrapper of its
    /// own: every old action the program reads back (sigaction, signal)
    /// is still its own handler and flags, SA_SIGINFO handlers get their
    /// siginfo, a handler's mask and SA_RESETHAND work as without it.
    func test_sigaction() throws {
        try check("hostile_sigaction", expect: .silent, .silent)
    }

    /// A thread on a 16 KiB stack (the D runtime's collector threads) with
    /// new dependencies to tell: dept's cycle search overflowed its stack
    /// (SIGSEGV every run); such a thread no longer enters the core. Below
    /// 4 KiB of its own frames, the hook's stack capture under a wait's
    /// buffers overflowed it too.
    func test_small_stack() throws {
        try check("hostile_small_stack", expect: .silent, .silent)
    }

    /// Signal handlers on alternate stacks of 8 and 32 KiB that lock and
    /// post while their thread holds locks: the model step wrote 7 KiB
    /// below the 8 KiB stack (the example checks a painted margin). Such a
    /// handler's hooks now pass through; on the 32 KiB one the model runs
    /// without the cycle search.
    func test_altstack() throws {
        try check("hostile_altstack", expect: .silent, .silent)
    }

    /// A fiber on a 16 KiB heap stack (swapcontext) with new dependencies
    /// to tell: dept's core ran on it and wrote below it (the example
    /// checks a painted margin). The core now needs 64 KiB known to be
    /// left, on the thread's stack or a context's that makecontext made.
    func test_fiber() throws {
        try check("hostile_fiber", expect: .silent, .silent)
    }

    /// pthread_cancel of a thread blocked in pthread_cond_wait / timedwait:
    /// the mutex comes back through glibc's cleanup, not through our hook.
    func test_cancel_condwait() throws {
        try check("hostile_cancel_condwait", expect: .silent, .silent)
    }

    /// Cancellation acted on inside pthread_cond_wait (pending before the
    /// wait) unwinds through the shim's cleanup, whose personality routine
    /// aborted while GCC's unwinder in libdept.so had never unwound: under
    /// the default unwinder, nothing made it.
    func test_cancel_holding() throws {
        try check("hostile_cancel_holding", expect: .silent, .silent)
    }

    /// sem_wait acts on a pending cancellation even when a token is there:
    /// the hook takes a token with sem_trywait, which is no cancellation
    /// point, so it must act on the cancellation first (the worker returned
    /// with the token taken, and its lock released by nobody).
    func test_cancel_semwait() throws {
        try check("hostile_cancel_semwait", expect: .silent, .silent)
    }

    /// Threads that return / pthread_exit holding 1 and 40 locks.
    func test_exit_holding() throws {
        let pair = try runBoth("hostile_exit_holding", expect: .warning)
        assertVerdict(pair, .warning(required: true))
        let warnings = pair.preloaded.stderrLines.filter { $0.hasPrefix("DEPT: warning:") }
        XCTAssertTrue(warnings.contains { $0.contains("exit") },
                      "expected a warning about a thread exiting while holding a lock\n\(pair.preloaded.transcript)")
    }

    /// Process-shared mutexes and semaphores in shared memory, used by a
    /// parent and its child; the parent blocks 1.6 s on a mutex the child
    /// process holds while it makes progress.
    func test_pshared() throws {
        try check("hostile_pshared", expect: .silent, .silent)
    }

    /// Robust mutexes whose owner died: EOWNERDEAD, pthread_mutex_consistent,
    /// ENOTRECOVERABLE, and a process-shared one whose owner process exited.
    /// A warning (a thread exited holding a lock) is allowed, not required.
    func test_robust() throws {
        let pair = try runBoth("hostile_robust", expect: .warning)
        assertVerdict(pair, .warning(required: false))
    }

    /// Error-checking mutex: EDEADLK on relock, EPERM on foreign or
    /// redundant unlock, return codes and errno unchanged.
    func test_errorcheck() throws {
        let pair = try runBoth("hostile_errorcheck", expect: .warning)
        assertVerdict(pair, .warning(required: true))
    }

    /// syscall() is interposed for its futex calls: every other number, and
    /// every futex call, returns exactly what libc's does, errno included.
    func test_syscall() throws {
        try check("hostile_syscall", expect: .silent, .silent)
    }

    /// A NULL mutex, rwlock, semaphore, condvar or spinlock (glibc crashes):
    /// the same SIGSEGV under the preload, not a hang. NULL once matched
    /// the object table's empty slots, and the lookup waited forever for a
    /// ref (4 of the 6 children died by their alarm instead).
    func test_null_object() throws {
        try check("hostile_null_object", expect: .silent, .silent)
    }

    /// dlopen / dlclose twice of a library with its own locks, and fresh
    /// memory at the old address of one of its static locks in between.
    func test_dlopen() throws {
        try check("hostile_dlopen", expect: .silent, .silent)
    }

    /// Locks in .preinit_array (before dept is initialised), constructors,
    /// atexit handlers and a destructor that runs after dept's exit handler.
    func test_ctor_atexit() throws {
        let pair = try runBoth("hostile_ctor_atexit", expect: .silent)
        assertVerdict(pair, .silent)
        XCTAssertTrue(pair.preloaded.stdout.contains("destructor: steps=8"),
                      "the last destructor did not run to completion\n\(pair.preloaded.transcript)")
    }

    /// Main returns (or calls exit) while a worker still takes a lock, and an
    /// exit handler of the program, registered after dept's, tears it down:
    /// what dept still has to print (a `not reported` line at verbosity=2)
    /// comes before that handler runs, not during the teardown (povray
    /// aborted when it did).
    func test_exit_teardown() throws {
        for args in [[], ["exit"]] {
            let pair = try runBoth("hostile_exit_teardown", args, env: ["DEPT_OPTIONS": "verbosity=2"], expect: .silent)
            let run = pair.preloaded
            let lines = run.stderrLines
            let how = args.isEmpty ? "main returned" : "main called exit"
            let others = lines.filter { $0.hasPrefix("DEPT:") && !$0.hasPrefix("DEPT: info:") }
            XCTAssertEqual(others, [], "\(how): only `DEPT: info:` lines expected\n\(run.transcript)")
            guard let silenced = lines.firstIndex(where: { $0.hasPrefix("DEPT: info: not reported (static objects)") }),
                  let teardown = lines.firstIndex(of: "teardown") else {
                XCTFail("\(how): no `not reported (static objects)` line or no teardown\n\(run.transcript)")
                continue
            }
            XCTAssertLessThan(silenced, teardown,
                              "\(how): dept printed during the program's teardown, not before it\n\(run.transcript)")
            XCTAssertTrue(run.stdout.contains("hostile_exit_teardown: done"), run.transcript)
        }
    }

    /// 10,000 short-lived threads in batches of 100.
    func test_many_threads() throws {
        try check("hostile_many_threads", expect: .silent, .silent)
    }

    /// 21,000 threads (joined, created detached, detaching themselves), each
    /// with a condvar and a mutex that carry a clock: what dept keeps for
    /// them goes with them. Before, every thread and every such object kept
    /// a record and a clock page for the rest of the run (+168 MiB here).
    func test_thread_churn() throws {
        let pair = try runBoth("hostile_thread_churn", expect: .silent)
        assertVerdict(pair, .silent)
        let line = pair.preloaded.stderrLines.first { $0.hasPrefix("hostile_thread_churn: rss grew ") }
        let kib = line.flatMap { Int($0.split(separator: " ")[3]) }
        guard let kib else { return XCTFail("no rss line\n\(pair.preloaded.transcript)") }
        XCTAssertLessThan(kib, 16 * 1024, "memory grew with the threads created\n\(pair.preloaded.transcript)")
        XCTAssertTrue(pair.preloaded.stdout.contains("hostile_thread_churn: done"), pair.preloaded.transcript)
    }

    /// 2000 mutexes held at once by one thread, then by another in the same
    /// order (2000 static classes, then 2000 instances of one heap class).
    func test_many_held() throws {
        try check("hostile_many_held", expect: .silent, .silent)
    }

    /// Destroying locked mutexes / rwlocks, re-initialising and reusing them.
    func test_destroy_locked() throws {
        let pair = try runBoth("hostile_destroy_locked", expect: .warning)
        assertVerdict(pair, .warning(required: true))
    }

    /// A program that counts SIGCHLD and reaps with waitpid(-1) in its
    /// handler: the symbolizer dept runs for the report (its file:line
    /// answers prove it ran) is neither signalled nor reaped; the program
    /// sees its own one child, as without dept.
    func test_sigchld() throws {
        let pair = try runBoth("hostile_sigchld", expect: .potential, extraExitCodes: [66])
        let run = pair.preloaded
        XCTAssertTrue(run.stderr.contains("potential deadlock"), run.transcript)
        XCTAssertTrue(run.stderr.contains("hostile_sigchld.c:"), "no symbolized frame: the helper did not run\n\(run.transcript)")
        XCTAssertTrue(run.stdout.contains("hostile_sigchld: 1 SIGCHLD, 1 child reaped, status 3"), run.transcript)
        assertWarningsWellFormed(run.stderr, context: run.transcript)
    }

    // MARK: closed stderr

    /// stderr (and every descriptor above it) closed before an AB-BA
    /// inversion: no crash, no hang, stdout intact, status 0 or 66.
    func test_close_stderr() throws {
        let pair = try checkCloseStderrDiverted([])
        XCTAssertTrue(pair.preloaded.stdout.contains("hostile_close_stderr: done"), pair.preloaded.transcript)
    }

    /// As above, with log_path: the report must be in `<log_path>.<pid>`.
    func test_close_stderr_logPath() throws {
        try checkCloseStderrWithLogPath([])
    }

    /// The program's own socket pairs take descriptors 0 and 2 to 8 after the
    /// close: a report written to fd 2 lands in the program's data (its
    /// check then prints "not what the program wrote" and stdout differs).
    /// dept must not write into descriptors it does not own.
    func test_close_stderr_reuse() throws {
        try checkCloseStderrDiverted(["reuse"])
    }

    func test_close_stderr_reuse_logPath() throws {
        try checkCloseStderrWithLogPath(["reuse"])
    }

    /// As `reuse`, but dept has already warned, opened its log file and
    /// captured stacks (libunwind) before the program closed everything:
    /// descriptors dept or its libraries opened (the log file, libunwind's
    /// memory-validation pipe) are now the program's sockets; reading or
    /// writing them steals or corrupts the program's data, or blocks.
    func test_close_stderr_early() throws {
        let pair = try checkCloseStderrDiverted(["early"])
        XCTAssertTrue(pair.preloaded.stderrLines.contains { $0.hasPrefix("DEPT: warning:") },
                      "the warning printed while stderr was open is missing\n\(pair.preloaded.transcript)")
    }

    func test_close_stderr_early_logPath() throws {
        try checkCloseStderrWithLogPath(["early"])
    }

    /// Without log_path, the report of a process whose stderr is gone
    /// belongs in `$TMPDIR/dept.<pid>.log` (README, `log_path`).
    @discardableResult
    func checkCloseStderrDiverted(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Pair {
        let dir = try DeptPaths.makeTempDir("hostile-tmpdir")
        let pair = try runBoth("hostile_close_stderr", args, env: ["TMPDIR": dir.path],
                               expect: .potential, extraExitCodes: [66], file: file, line: line)
        assertVerdict(pair, .reportMayBeLost, file: file, line: line)
        assertReportFile(dir.appendingPathComponent("dept.\(pair.preloaded.pid).log").path, of: pair, file: file, line: line)
        return pair
    }

    /// The example's one potential report is in `path`; its text, or nil
    /// (a failure naming what the file's directory holds instead).
    @discardableResult
    func assertReportFile(_ path: String, of pair: Pair, file: StaticString, line: UInt) -> String? {
        let run = pair.preloaded
        let dir = (path as NSString).deletingLastPathComponent
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let present = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            XCTFail("no report file \(path); \(dir) holds \(present.sorted())\n\(run.transcript)", file: file, line: line)
            return nil
        }
        assertReportText(text, kind: .potential, header: pair.example.header, pid: run.pid, events: 2...2,
                         context: "--- \(path) ---\n\(text)\n--- run ---\n\(run.transcript)", file: file, line: line)
        return text
    }

    func checkCloseStderrWithLogPath(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try DeptPaths.makeTempDir("hostile-log")
        let prefix = dir.appendingPathComponent("report").path
        let pair = try runBoth("hostile_close_stderr", args, env: ["DEPT_OPTIONS": "log_path=\(prefix)"],
                               expect: .potential, extraExitCodes: [66], file: file, line: line)
        let run = pair.preloaded
        guard let text = assertReportFile("\(prefix).\(run.pid)", of: pair, file: file, line: line) else { return }
        assertWarningsWellFormed(text, context: text, file: file, line: line)
        XCTAssertEqual(run.stderrLines.filter { $0.hasPrefix("DEPT:") }, [],
                       "with log_path, nothing `DEPT:` belongs on stderr\n\(run.transcript)", file: file, line: line)
    }

    // MARK: the example list itself

    func test_everyHostileExampleIsCovered() throws {
        let all = try ExampleHeader.all().filter { $0.name.hasPrefix("hostile_") }
        let names = Set(all.map(\.name))
        XCTAssertEqual(names.subtracting(Self.covered).sorted(), [], "hostile examples without a test in HostileTests")
        XCTAssertEqual(Self.covered.subtracting(names).sorted(), [], "tests for hostile examples that are gone")
        for header in all {
            XCTAssertFalse(header.objects.isEmpty, "\(header.name): empty `// objects:` header")
            XCTAssertTrue(header.sourceText.contains("alarm(10)"), "\(header.name): must arm alarm(10)")
        }
    }
}
