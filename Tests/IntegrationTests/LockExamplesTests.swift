// Runs the `expect: potential` and `expect: silent` examples under
// LD_PRELOAD=libdept.so and checks the verdict of DESIGN.md §5, plus the
// DEPT_OPTIONS basics and "the preload does not change what programs do".
//
// Not here: the hang_* programs and the three sleeping "not a hang" examples
// (sleeper_signals_later, pipe_reader_later, epoll_server_idle_workers).
//
// Every test is independent: examples are built once per test process
// (ExampleBuilder caches, thread-safely) and every scratch file lives in a
// directory of its own.

import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class LockExamplesTests: XCTestCase {

    /// Examples this file covers; `test_everyPotentialAndSilentExampleIsCovered`
    /// fails when an example is added without a test here.
    static let covered: Set<String> = [
        // lock order, potential
        "abba", "abba_both_running", "abba_own_status", "fiber_abba", "altstack_jump_abba", "static_aligned_abba", "three_cycle", "rwlock_inversion", "shlib_inversion", "plugin_unloaded_inversion", "plugin_scan_unloaded_inversion", "plugin_dependency_unloaded_inversion", "plugin_reload_unloaded_inversion", "plugin_two_inversions", "heap_class_inversion", "cpp_abba", "cpp_abba_o2",
        "same_class_behind_lock", "swift_abba", "swift_abba_exported", "spawn_helper_abba", "unwind_shapes_abba", "unwind_same_depth_paths",
        "lock_wrapper_stacks", "lock_wrapper_crowded", "services_disposed_under_manager",
        // lock order, silent
        "consistent_order", "gate_lock", "trylock_backoff", "rwlock_readers", "recursive_mutex",
        "hand_over_hand", "mutex_reuse", "cpp_std_mutex", "swift_nslock", "acq_key_site_clash",
        // lock order, potential, through a destroyed and re-initialised lock
        "mutex_reuse_same_thread", "mutex_reuse_second_level", "sem_reuse_same_thread",
        // condvars, semaphores, eventfd, join: potential
        "seed_page_lock", "seed_completion", "cond_outer_lock", "eventfd_under_mutex", "sem_as_locks", "sem_lock_many_waits",
        "join_under_mutex", "mixed_three_kinds",
        // condvars, semaphores, eventfd: silent
        "bounded_buffer", "thread_pool", "signal_before_wait", "sem_pingpong", "cond_pingpong",
        "sem_cross_thread", "sem_handoff", "nonblocking_eventfd_epoll", "timedwait_poll", "sem_many_threads",
        "signal_handler_post",
        // C11 threads, spinlocks, barriers, once, robust mutexes
        "c11_mtx_abba", "c11_cnd_outer_lock", "c11_thrd_join_under_mtx", "c11_call_once_lock", "c11_threads_ok",
        "spin_abba", "barrier_post_after", "barrier_lock_signal", "barrier_phases", "once_lock", "robust_consistent_abba",
        // futexes through syscall(): raw, libstdc++, Swift
        "futex_pi_abba", "futex_pi_released", "futex_wait_outer_lock", "futex_pingpong", "cpp_semaphore_latch",
        "cpp_semaphore_outer_lock", "futex_lock_under_mutex", "futex_lock_released_under_mutex", "futex_lock_first_contended",
        "swift_mutex_dispatch",
        // the annotation API
        "annotated_futex_lock", "annotated_completion", "annotated_tsan_lock", "annotated_lock_nested",
        "swift_annotated_lock",
    ]

    /// Covered elsewhere (real hangs, long sleeps).
    static let notHere: Set<String> = ["sleeper_signals_later", "pipe_reader_later", "epoll_server_idle_workers",
                                         "join_busy_worker", "woken_not_running", "idle_pool_busy_main",
                                         "sem_handoff_slow_post", "sem_gate_opened_by_other"]

    static let timeout: TimeInterval = 60

    // MARK: helpers

    /// `[W] pthread_mutex_lock(` must appear in the lock-order reports.
    static let mutexWait = "[W] pthread_mutex_lock("

    /// Builds, runs under the preload and checks a `potential` example.
    @discardableResult
    func checkPotential(_ name: String, events: ClosedRange<Int>?, mustContain: [String] = [],
                        mustMatch: [(String, NSRegularExpression)] = [],
                        file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        _ = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        XCTAssertEqual(example.header.expect, .potential, "\(name): the header no longer says `expect: potential`",
                       file: file, line: line)
        let run = runExample(example, preload: true, timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: events,
                     mustContain: mustContain, mustMatch: mustMatch, exitCode: 66, file: file, line: line)
        // The run must complete (this interleaving does not hang).
        XCTAssertTrue(run.stdout.contains("\(name): done"),
                      "\(name) did not run to completion under the preload\n\(run.transcript)", file: file, line: line)
        return run
    }

    /// Builds, runs under the preload and checks a `silent` example.
    func checkSilent(_ name: String, allowWarnings: Bool = false, compareStdout: Bool = true,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        _ = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        XCTAssertEqual(example.header.expect, .silent, "\(name): the header no longer says `expect: silent`",
                       file: file, line: line)
        let run = runExample(example, preload: true, timeout: Self.timeout)
        assertSilent(run, example: example, allowWarnings: allowWarnings, compareStdout: compareStdout,
                     file: file, line: line)
        // The run must complete (every example prints "<name>: done" or, for
        // swift_nslock, "<name>: result").
        XCTAssertTrue(run.stdout.hasPrefix("\(name): "),
                      "\(name) did not run to completion under the preload\n\(run.transcript)", file: file, line: line)
    }

    // MARK: lock order, potential

    /// abba's first thread is joined before the second starts: the report
    /// says that this run took the two orders one after the other.
    func test_abba() throws {
        try checkPotential("abba", events: 2...2, mustContain: [Self.mutexWait, Self.exitedNote])
    }

    static let exitedNote = "note: T2 had exited when this cycle closed: in this run the orders did not overlap; "
        + "threads that take the locks in these orders at the same time can deadlock"

    /// The same inversion from two threads that both still run when it
    /// closes: the same report, without abba's note.
    func test_abba_both_running() throws {
        let run = try checkPotential("abba_both_running", events: 2...2, mustContain: [Self.mutexWait])
        XCTAssertFalse(run.stderr.contains("had exited when this cycle closed"), run.transcript)
    }

    /// One side of the inversion runs in a fiber (makecontext) on a heap
    /// stack: dept knows its size from the context, so the core hears of
    /// it; off a stack of unknown size it would not (hostile_fiber).
    func test_fiber_abba() throws {
        try checkPotential("fiber_abba", events: 2...2, mustContain: [Self.mutexWait, "#0 fiber "])
    }

    /// A handler on an 8 KiB alternate stack runs with dept's hooks passed
    /// through (hostile_altstack); left by siglongjmp, the thread's next
    /// locks are seen again: A->B is half of the inversion.
    func test_altstack_jump_abba() throws {
        try checkPotential("altstack_jump_abba", events: 2...2, mustContain: [Self.mutexWait, "#0 jumper "])
    }

    func test_three_cycle() throws {
        try checkPotential("three_cycle", events: 3...3, mustContain: [Self.mutexWait])
    }

    func test_rwlock_inversion() throws {
        try checkPotential("rwlock_inversion", events: 2...2, mustContain: [Self.mutexWait], mustMatch: [
            ("an rwlock operation on R", makeRegex(#"pthread_rwlock_(rd|wr)lock\(&?R(?:[)@ +:,\[]|$)"#, [.anchorsMatchLines])),
        ])
    }

    func test_shlib_inversion() throws {
        try checkPotential("shlib_inversion", events: 2...2, mustContain: [Self.mutexWait])
    }

    /// A plugin example's report, whose thread's half ran in a plugin the
    /// program unloaded before the report: its frames still name the
    /// plugin's function and line (dept keeps the records of unloaded
    /// modules), none is left unnamed ("??", "+0x0"), and none is named by
    /// a module whose name contains `wrongName`. Returns the run.
    @discardableResult
    private func checkPluginNamed(_ example: String, wrongName: String? = nil) throws -> RunResult {
        let run = try checkPotential(example, events: 2...2, mustContain: [Self.mutexWait])
        XCTAssertTrue(run.stderr.contains("plugin_nest ") && run.stderr.contains("libplugin_nest.c:9"), run.transcript)
        XCTAssertFalse(run.stderr.contains("+0x0") || run.stderr.contains("#0 ??"), run.transcript)
        if let wrongName { XCTAssertFalse(run.stderr.contains(wrongName), run.transcript) }
        return run
    }

    /// Frames were "??" and the sentence said "(+0x0, +0x0)".
    func test_plugin_unloaded_inversion() throws {
        try checkPluginNamed("plugin_unloaded_inversion")
    }

    /// The same after a scan of 300 other plugins, most of them mapped
    /// where the plugin lay (a plugin host without its plugin cache): the
    /// records of the first 256 unloaded modules were kept and the plugin's
    /// was lost ("+0x0"), and an address of the plugin must be named by the
    /// module unloaded there last, not by a scanned copy (deleted since).
    func test_plugin_scan_unloaded_inversion() throws {
        try checkPluginNamed("plugin_scan_unloaded_inversion", wrongName: "scanned_")
    }

    /// The thread's half ran in a library only the plugin needed, which
    /// the plugin's dlclose unmapped with it: only the closed library's
    /// record was kept, and the frames in its dependency read "#0 ??".
    func test_plugin_dependency_unloaded_inversion() throws {
        let run = try checkPluginNamed("plugin_dependency_unloaded_inversion")
        XCTAssertTrue(run.stderr.contains("plugin_via ") && run.stderr.contains("libplugin_via.c:10"), run.transcript)
    }

    /// The same after two copies of the plugin were reloaded in turns
    /// 8,400 times (a server's graceful restarts): each unload of a copy
    /// made a record of its own until all 8,192 were taken, and the
    /// plugin's own unload, the last, was named by a copy ("reloaded_b").
    func test_plugin_reload_unloaded_inversion() throws {
        try checkPluginNamed("plugin_reload_unloaded_inversion", wrongName: "reloaded_")
    }

    /// Two inversions through a plugin, each reported when it closes: two
    /// reports in one process, each with the plugin's frames.
    /// (StrippedProgramTests uses it for the notes on debug information.)
    func test_plugin_two_inversions() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("plugin_two_inversions")
        let run = runExample(example, preload: true, timeout: Self.timeout)
        XCTAssertEqual(run.exitCode, 66, run.transcript)
        XCTAssertEqual(run.stderr.components(separatedBy: "DEPT: potential deadlock:").count - 1, 2, run.transcript)
        XCTAssertEqual(run.stderr.components(separatedBy: "plugin_nest ").count - 1 >= 2, true, run.transcript)
        XCTAssertTrue(run.stderr.contains("libplugin_nest.c:9"), run.transcript)
    }

    /// One inversion in the code, closed through three first-use classes
    /// (LibreOffice's service manager, survey 12 F5): one report, and for
    /// each other cycle one line naming it and the report it repeats. With
    /// SERVICES_LOCK_PAIRS=1, two more inversions that wait elsewhere (in a
    /// helper called from other functions) are each a report of their own.
    func test_services_disposed_under_manager() throws {
        let run = try checkPotential("services_disposed_under_manager", events: 2...2, mustContain: [Self.mutexWait])
        let headlines = run.stderrLines.filter { $0.hasPrefix("DEPT: potential deadlock:") }
        XCTAssertEqual(headlines.count, 1, "one report for one inversion in the code\n\(run.transcript)")
        let key = run.stderrLines.first { $0.hasPrefix("key: ") }.map { String($0.dropFirst(5)) } ?? "?"
        let again = run.stderrLines.filter { $0.hasPrefix("DEPT: info: potential deadlock \(key) again, through other classes at the same waits") }
        XCTAssertEqual(again.count, 2, "a line for each of the other two cycles\n\(run.transcript)")
        // The report's sentence and each line name their own class.
        let sentences = run.stderrLines.filter { $0.hasPrefix("T1 takes first-use@") } + again
        let classes = Set(sentences.compactMap { l in
            l.range(of: #"first-use@services_disposed_under_manager\.c:[0-9]+"#, options: .regularExpression).map { String(l[$0]) }
        })
        XCTAssertEqual(classes.count, 3, "three classes, each named once: \(classes)\n\(run.transcript)")

        let example = try ExampleBuilder.shared.build("services_disposed_under_manager")
        let pairs = runExample(example, preload: true, env: ["SERVICES_LOCK_PAIRS": "1", "DEPT_OPTIONS": "stats=1"],
                               timeout: Self.timeout)
        assertReport(pairs, kind: .potential, example: example, objects: ["journal", "index_lock"], events: 2...2)
        assertReport(pairs, kind: .potential, example: example, objects: ["cache", "store"], events: 2...2)
        XCTAssertEqual(pairs.stderrLines.filter { $0.hasPrefix("DEPT: potential deadlock:") }.count, 3, pairs.transcript)
        XCTAssertEqual(pairs.stderrLines.filter { $0.contains(" again, through other classes at the same waits") }.count, 2,
                       pairs.transcript)
        XCTAssertTrue(pairs.stderr.contains("reported 3 potential deadlocks (2 more cycles at the same waits) and 0 live"),
                      pairs.transcript)
    }

    func test_heap_class_inversion() throws {
        try checkPotential("heap_class_inversion", events: 2...2, mustContain: [Self.mutexWait])
    }

    /// Issue 14: two std::threads created on consecutive lines each show
    /// their own creation line; the report points at the user's code, not
    /// at gthr-default.h, and says the inversion in one sentence.
    func test_cpp_abba() throws {
        let run = try checkPotential("cpp_abba", events: 2...2, mustContain: [Self.mutexWait])
        let example = try ExampleBuilder.shared.build("cpp_abba")
        let t1 = try Self.sourceLine(example, containing: "std::thread t1(")
        let t2 = try Self.sourceLine(example, containing: "std::thread t2(")
        let created = Self.creationLines(run.stderr, file: "cpp_abba.cpp")
        XCTAssertEqual(created, [t2, t1], "the closing thread (t2) first, each at its own line\n\(run.transcript)")
        XCTAssertNotNil(run.stderr.range(of: #"SUMMARY: DEPT: potential deadlock cpp_abba\.cpp:[0-9]+ in bank::Account::withdraw_to\n"#,
                                         options: .regularExpression), run.transcript)
        XCTAssertFalse(run.stderr.contains("gthr-default.h"), "runtime frames are folded\n\(run.transcript)")
        XCTAssertNotNil(run.stderr.range(of: #"\nT3 takes bank::[a-z]+ \(cpp_abba\.cpp:[0-9]+\) while holding bank::[a-z]+ \(cpp_abba\.cpp:[0-9]+\); T2 takes them in the opposite order \(cpp_abba\.cpp:[0-9]+, [0-9]+\)\.\n"#,
                                         options: .regularExpression), run.transcript)
        XCTAssertTrue(run.stderr.contains("to suppress: deadlock:bank::Account::withdraw_to\n"), run.transcript)
    }

    /// Issue 14 item 3 in optimised C++: std::mutex::lock and lock_guard are
    /// inlined from system headers into the user's functions, so a pc's
    /// innermost line is gthr-default.h. The frame is the first inlined
    /// frame outside the headers: the user's line.
    func test_cpp_abba_o2() throws {
        let run = try checkPotential("cpp_abba_o2", events: 2...2, mustContain: [Self.mutexWait])
        XCTAssertNotNil(run.stderr.range(of: #"SUMMARY: DEPT: potential deadlock cpp_abba\.cpp:[0-9]+ in "#,
                                         options: .regularExpression), run.transcript)
        XCTAssertFalse(run.stderr.contains("gthr-default.h"), "no frame points into a system header\n\(run.transcript)")
        XCTAssertNotNil(run.stderr.range(of: #"\nT3 takes bank::[a-z]+ \(cpp_abba\.cpp:[0-9]+\) while holding bank::[a-z]+ \(cpp_abba\.cpp:[0-9]+\)"#,
                                         options: .regularExpression), run.transcript)
    }

    /// Runs a 2-event potential-deadlock example under the default unwinder
    /// and under GCC's (unwinder=gcc), asserts that every line of the
    /// report's stacks is the same, and returns the default run with those
    /// lines.
    func stacksAsGCCs(_ name: String, file: StaticString = #filePath,
                      line: UInt = #line) throws -> (run: RunResult, frames: [String]) {
        let run = try checkPotential(name, events: 2...2, mustContain: [Self.mutexWait], file: file, line: line)
        let example = try ExampleBuilder.shared.build(name)
        let gcc = runExample(example, preload: true, env: ["DEPT_OPTIONS": "unwinder=gcc"], timeout: Self.timeout)
        func frames(_ text: String) -> [String] {
            text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("    #") || $0.hasPrefix("[") }
        }
        let dwarf = frames(run.stderr)
        XCTAssertEqual(dwarf, frames(gcc.stderr), "unwinder=dwarf against unwinder=gcc\n\(run.transcript)\n\(gcc.transcript)",
                       file: file, line: line)
        return (run, dwarf)
    }

    /// The default stack unwinder (unwinder=dwarf, CShim/cfi_unwinder.c)
    /// reads the unwind tables itself and caches a rule per return address;
    /// its stacks must be GCC's unwinder's, frame for frame, through -O2
    /// frameless recursion, an alloca frame (CFA from rbp), a frame-pointer
    /// frame and a signal handler's frame (which it hands to GCC's).
    func test_unwind_shapes_abba() throws {
        let (run, dwarf) = try stacksAsGCCs("unwind_shapes_abba")
        for f in [" with_frame_pointer ", " with_alloca ", " worker ", " on_usr1 ", " main "] {
            XCTAssertTrue(dwarf.contains { $0.contains(f) }, "no frame \(f)\n\(run.transcript)")
        }
        // All seven levels of the recursion, in the worker's [W] stack.
        let w = dwarf.firstIndex { $0.hasPrefix("[W] pthread_mutex_lock(right)") }
        XCTAssertNotNil(w, run.transcript)
        if let w = w {
            XCTAssertEqual(dwarf[(w + 1)...].prefix { $0.hasPrefix("    #") }.filter { $0.contains(" descend") }.count, 7,
                           run.transcript)
        }
    }

    /// A thread's captures that start where an earlier walk started, and
    /// read the same words up to the one return address that differs, are
    /// not answered with that walk's stack: every stack of path_two names
    /// path_two, exactly as GCC's unwinder (which keeps nothing) gives it.
    func test_unwind_same_depth_paths() throws {
        let (run, dwarf) = try stacksAsGCCs("unwind_same_depth_paths")
        // Both acquisitions of path_two's half, [S] and [W], under path_two.
        for w in ["[S] pthread_mutex_lock(B)", "[W] pthread_mutex_lock(A)"] {
            let i = dwarf.firstIndex { $0.hasPrefix(w) }
            XCTAssertNotNil(i, "no \(w)\n\(run.transcript)")
            if let i = i {
                XCTAssertTrue(dwarf[(i + 1)...].prefix { $0.hasPrefix("    #") }.contains { $0.contains(" path_two ") },
                              "\(w) not under path_two\n\(run.transcript)")
            }
        }
    }

    /// Every lock taken through the program's own wrapper (one call site of
    /// pthread_mutex_lock for all of them): each [S] is where its lock was
    /// really taken, not the first acquisition of that lock through the
    /// wrapper, and the headline, SUMMARY and suppression name the
    /// wrapper's callers.
    func test_lock_wrapper_stacks() throws {
        try checkWrapperStacks("lock_wrapper_stacks", held: "pthread_mutex_lock", waits: "pthread_mutex_lock")
    }

    private func checkWrapperStacks(_ name: String, held: String, waits: String, file: StaticString = #filePath,
                                    line: UInt = #line) throws {
        let run = try checkPotential(name, events: 2...2, mustContain: ["[W] \(waits)("], file: file, line: line)
        let example = try ExampleBuilder.shared.build(name)
        let lines = splitLines(run.stderr)
        let s = lines.firstIndex { $0.hasPrefix("[S] \(held)(a)") }
        XCTAssertNotNil(s, run.transcript, file: file, line: line)
        if let s = s {
            let frames = lines[(s + 1)...].prefix { $0.hasPrefix("    #") }
            XCTAssertTrue(frames.contains { $0.contains(" take_ab ") }, "a's [S] is not take_ab's\n\(run.transcript)", file: file, line: line)
            XCTAssertFalse(frames.contains { $0.contains(" warm_up ") }, "a's [S] is warm_up's\n\(run.transcript)", file: file, line: line)
        }
        let aUnderB = try Self.sourceLine(example, containing: "// take_ba: a taken holding b")
        let bHeld = try Self.sourceLine(example, containing: "// take_ba: b held from here")
        XCTAssertTrue(run.stderr.contains("takes a (\(name).c:\(aUnderB)) while holding b (\(name).c:\(bHeld))"),
                      run.transcript, file: file, line: line)
        XCTAssertTrue(run.stderr.contains("SUMMARY: DEPT: potential deadlock \(name).c:\(aUnderB) in take_ba"),
                      run.transcript, file: file, line: line)
        XCTAssertTrue(run.stderr.contains("to suppress: deadlock:take_ba"), run.transcript, file: file, line: line)
    }

    /// A wrapper reached through 1,200 call strings is named by its call
    /// site again after 1,024 of them made new situations (stats=1 says
    /// so); an inversion through it is still reported, with its callers in
    /// the headline.
    func test_lock_wrapper_crowded() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("lock_wrapper_crowded")
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "stats=1"], timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: 2...2, mustContain: [Self.mutexWait], exitCode: 66)
        XCTAssertTrue(run.stdout.contains("lock_wrapper_crowded: done"), run.transcript)
        XCTAssertTrue(run.stderr.contains("found 1 lock wrapper (1 named by the call site again)"), run.transcript)
        let aUnderB = try Self.sourceLine(example, containing: "// take_ba: a taken holding b")
        let bHeld = try Self.sourceLine(example, containing: "// take_ba: b held from here")
        XCTAssertTrue(run.stderr.contains("takes a (lock_wrapper_crowded.c:\(aUnderB)) while holding b (lock_wrapper_crowded.c:\(bHeld))"),
                      run.transcript)
    }

    /// Issue 14 items 1 and 4: threads started through one spawn() helper
    /// each show their own line of main; a context's [E] is its own
    /// thread's release, and when that was not seen yet the report says
    /// whose it shows.
    func test_spawn_helper_abba() throws {
        let run = try checkPotential("spawn_helper_abba", events: 2...2, mustContain: [Self.mutexWait])
        let example = try ExampleBuilder.shared.build("spawn_helper_abba")
        let x = try Self.sourceLine(example, containing: "// ctx-X: created on this line")
        let y = try Self.sourceLine(example, containing: "// ctx-Y: created on this line")
        XCTAssertEqual(Self.creationLines(run.stderr, file: "spawn_helper_abba.c"), [y, x], run.transcript)
        let ctxX = Self.contextBlock(run.stderr, thread: "ctx-X")
        let ex = ctxX.firstIndex { $0.hasPrefix("[E] pthread_mutex_unlock(left)") }
        XCTAssertNotNil(ex, "context of ctx-X\n\(run.transcript)")
        if let e = ex {
            XCTAssertEqual(ctxX[e], "[E] pthread_mutex_unlock(left):", "its own release, not marked as another's")
            XCTAssertTrue(ctxX[e + 1].contains(" left_then_right "), "ctx-X's own unlock, not main's warm-up: \(ctxX[e + 1])")
        }
        let ctxY = Self.contextBlock(run.stderr, thread: "ctx-Y")
        let ey = ctxY.firstIndex { $0.hasPrefix("[E] pthread_mutex_unlock(right)") }
        XCTAssertNotNil(ey, run.transcript)
        if let e = ey {
            XCTAssertEqual(ctxY[e], "[E] pthread_mutex_unlock(right) (not seen in T3 yet; e.g., in T1 at):")
            XCTAssertTrue(ctxY[e + 1].contains(" warm_up "), ctxY[e + 1])
        }
    }

    /// The 1-based line of the example's source that contains `text`.
    static func sourceLine(_ example: BuiltExample, containing text: String) throws -> Int {
        let lines = splitLines(example.header.sourceText)
        guard let i = lines.firstIndex(where: { $0.contains(text) }) else {
            XCTFail("\(example.header.name) has no line with \(text)")
            return -1
        }
        return i + 1
    }

    /// The lines of `file` named by the `main` frame of each `created at:`
    /// stack, in report order.
    static func creationLines(_ text: String, file: String) -> [Int] {
        let lines = splitLines(text)
        var out: [Int] = []
        let re = makeRegex(#"^    #[0-9]+ main \S*"# + NSRegularExpression.escapedPattern(for: file) + #":([0-9]+) "#)
        for (i, l) in lines.enumerated() where l == "created at:" {
            for f in lines[(i + 1)...].prefix(while: { $0.hasPrefix("    #") }) {
                if let m = firstMatch(re, f), let r = Range(m.range(at: 1), in: f) { out.append(Int(f[r]) ?? -1); break }
            }
        }
        return out
    }

    /// The lines of the context block of the thread named `name`.
    static func contextBlock(_ text: String, thread name: String) -> [String] {
        let lines = splitLines(text)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("context ") && $0.contains("\"\(name)\"") }) else { return [] }
        var out: [String] = []
        for l in lines[start...].dropFirst() {
            if l.hasPrefix("context ") || l.hasPrefix("----") || l.isEmpty { break }
            out.append(l)
        }
        return out
    }

    /// Instance pairs of one class must reach the core even when the held
    /// lock of that class is not the innermost one (the acquisition cache
    /// once answered the second pass from the first).
    func test_same_class_behind_lock() throws {
        try checkPotential("same_class_behind_lock", events: 2...2, mustContain: [Self.mutexWait])
    }

    /// A Swift program: its frames and objects carry demangled Swift names,
    /// which libdept.so (no Swift runtime of its own) gets from the
    /// toolchain's swift-demangle at report time.
    func test_swift_abba() throws {
        try checkPotential("swift_abba", events: 2...2, mustContain: [Self.mutexWait, "swift_abba.takeBThenA() -> ()"])
    }

    /// Its mutexes exported: named the same whether the symbolizer runs or
    /// not (symbolize=0 names them by the loader's exported symbol, a
    /// mangled one that swift-demangle turns into the same name; the names
    /// are part of the report's key).
    func test_swift_abba_exported() throws {
        try checkPotential("swift_abba_exported", events: 2...2, mustContain: [Self.mutexWait])
        let example = try ExampleBuilder.shared.build("swift_abba_exported")
        let bare = runExample(example, preload: true, env: ["DEPT_OPTIONS": "symbolize=0"], timeout: Self.timeout)
        assertReport(bare, kind: .potential, example: example, events: 2...2, exitCode: 66)
        XCTAssertFalse(bare.stderr.contains("$s19swift_abba_exported"), "mangled object names\n\(bare.transcript)")
        XCTAssertTrue(bare.stderr.contains("takes swift_abba_exported.lockA : __C.pthread_mutex_t ("), bare.transcript)
    }

    // MARK: lock order, silent

    func test_consistent_order() throws { try checkSilent("consistent_order") }
    func test_gate_lock() throws { try checkSilent("gate_lock") }
    func test_trylock_backoff() throws {
        // It prints how often it backed off, which depends on scheduling.
        try checkSilent("trylock_backoff", compareStdout: false)
    }
    func test_rwlock_readers() throws { try checkSilent("rwlock_readers") }
    func test_recursive_mutex() throws { try checkSilent("recursive_mutex") }
    func test_hand_over_hand() throws { try checkSilent("hand_over_hand") }
    func test_mutex_reuse() throws { try checkSilent("mutex_reuse") }

    /// The acquisition cache must forget a lock when its address is
    /// destroyed and re-initialised: the same call in the same situation
    /// then takes another lock, of another class.
    func test_mutex_reuse_same_thread() throws {
        try checkPotential("mutex_reuse_same_thread", events: 2...2, mustContain: [Self.mutexWait])
    }

    /// The same, with the situation kept in the second level of the cache
    /// (a thread cycling through thousands of locks): its entries are
    /// checked against the address's generation as the first level's are.
    func test_mutex_reuse_second_level() throws {
        try checkPotential("mutex_reuse_second_level", events: 2...2, mustContain: [Self.mutexWait])
    }
    /// A semaphore's second life at the same address: the thread's memo of
    /// the object and record there is checked against the address's
    /// generation, as the acquisition cache is.
    func test_sem_reuse_same_thread() throws {
        try checkPotential("sem_reuse_same_thread", events: 2...2)
    }
    func test_cpp_std_mutex() throws { try checkSilent("cpp_std_mutex") }
    func test_swift_nslock() throws { try checkSilent("swift_nslock") }

    // MARK: condvars, semaphores, eventfd, join: potential

    func test_seed_page_lock() throws {
        // A -> B (Y waits for sem_b under A) and B -> A (Z posts sem_b under
        // A): 2 events, or 3 if X's acquisition of B is counted in the cycle.
        try checkPotential("seed_page_lock", events: 2...3)
    }

    func test_seed_completion() throws {
        try checkPotential("seed_completion", events: 2...2)
    }

    func test_cond_outer_lock() throws {
        try checkPotential("cond_outer_lock", events: 2...2)
    }

    func test_eventfd_under_mutex() throws {
        try checkPotential("eventfd_under_mutex", events: 2...2)
    }

    func test_sem_as_locks() throws {
        try checkPotential("sem_as_locks", events: 2...2)
    }

    /// A program started through the dynamic loader (`ld.so ./abba`, as
    /// some build systems and test runners start theirs) is named after
    /// itself: /proc/self/exe is then the loader, and the report named
    /// abba's code and objects after the loader's (dl-close.c lines).
    func test_abba_startedThroughTheLoader() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("abba")
        let loader = "/lib64/ld-linux-x86-64.so.2"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: loader), "no \(loader) on this x86_64 Linux")
        let run = runProgram(loader, [example.executable.path], preload: true, timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: 2...2,
                     mustContain: ["Examples/abba.c:28 (abba+0x", "pthread_mutex_lock(A)"], exitCode: 66)
    }

    /// abba's statics in a bss the linker gave a segment of its own: each
    /// still a static object, named by its symbol (they were taken for heap
    /// objects and classed by their first use).
    func test_static_aligned_abba() throws {
        try checkPotential("static_aligned_abba", events: 2...2, mustContain: ["pthread_mutex_lock(A)", "pthread_mutex_lock(B)"])
    }

    /// Two mutexes whose addresses differ as their lock call sites do: one
    /// acquisition cache key for both pushed the second as the first, and
    /// a cycle through it was reported that the program does not have.
    /// With `same` the second site takes the first mutex: a real
    /// inversion, reported.
    func test_acq_key_site_clash() throws {
        try checkSilent("acq_key_site_clash")
        let example = try ExampleBuilder.shared.build("acq_key_site_clash")
        let same = runProgram(example.executable.path, ["same"], preload: true, timeout: Self.timeout)
        assertReport(same, kind: .potential, example: example, events: 2...2, exitCode: 66)
    }

    /// A post from a signal handler (a collector's suspend acknowledgement,
    /// Boehm GC under ECL) depends on none of its thread's waits: it comes
    /// even while the thread is blocked on the rwlock it was taken under,
    /// and the cycle through the collector's lock was a false report. With
    /// `plain` the writer posts in its own code, holding the rwlock: the
    /// same three-event cycle is real and reported.
    func test_signal_handler_post() throws {
        try checkSilent("signal_handler_post")
        let example = try ExampleBuilder.shared.build("signal_handler_post")
        let plain = runProgram(example.executable.path, ["plain"], preload: true, timeout: Self.timeout)
        assertReport(plain, kind: .potential, example: example, events: 3...3, exitCode: 66)
    }

    /// A binary semaphore used as a lock around 24 mutexes: the waits made
    /// under it are kept until its post shows it was a lock, all of them
    /// (the first 16 were, and the last, which closes the cycle, was lost).
    /// The post's [E] is shown too: its release-site key was the same as
    /// one of the mutexes' unlock (class ^ operation), and the post's site
    /// went untold.
    func test_sem_lock_many_waits() throws {
        let run = try checkPotential("sem_lock_many_waits", events: 2...2)
        XCTAssertTrue(run.stderr.contains("[E] sem_post(S):\n    #0 ctx_x "),
                      "the taker's post is the [E] of its context\n\(run.transcript)")
    }

    func test_join_under_mutex() throws {
        try checkPotential("join_under_mutex", events: 2...2)
    }

    func test_mixed_three_kinds() throws {
        try checkPotential("mixed_three_kinds", events: 3...3)
    }

    // MARK: condvars, semaphores, eventfd: silent

    func test_bounded_buffer() throws { try checkSilent("bounded_buffer") }
    func test_thread_pool() throws { try checkSilent("thread_pool") }
    func test_signal_before_wait() throws { try checkSilent("signal_before_wait") }
    func test_sem_pingpong() throws { try checkSilent("sem_pingpong") }
    func test_cond_pingpong() throws { try checkSilent("cond_pingpong") }
    func test_sem_cross_thread() throws { try checkSilent("sem_cross_thread") }
    func test_sem_handoff() throws { try checkSilent("sem_handoff") }
    /// 41 threads release clocks into each semaphore: more entries than a
    /// record holds in itself, so its clock moves out mid-run, and records
    /// are reused by the next phase's objects.
    func test_sem_many_threads() throws { try checkSilent("sem_many_threads") }
    func test_nonblocking_eventfd_epoll() throws { try checkSilent("nonblocking_eventfd_epoll") }

    /// R2.7: the L -> cond_c -> L cycle goes through a timed wait: one
    /// `DEPT: info:` block says so, no deadlock report, exit status 0.
    func test_timedwait_poll() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("timedwait_poll")
        let run = runExample(example, preload: true, timeout: Self.timeout)
        let info = run.stderrLines.filter { $0.hasPrefix("DEPT: info: circular dependency of 2 events through a timed wait") }
        XCTAssertEqual(info.count, 1, "expected one timed-cycle information block\n\(run.transcript)")
        let others = run.stderrLines.filter { $0.hasPrefix("DEPT:") && !$0.hasPrefix("DEPT: info:") && !$0.hasPrefix("DEPT: warning:") }
        XCTAssertEqual(others, [], run.transcript)
        XCTAssertTrue(run.exitedNormally && run.exitCode == 0, run.transcript)
        XCTAssertTrue(run.stdout.hasPrefix("timedwait_poll: done"), run.transcript)
    }

    // MARK: C11 threads: each primitive as its pthread counterpart

    func test_c11_mtx_abba() throws {
        try checkPotential("c11_mtx_abba", events: 2...2, mustContain: ["[W] mtx_lock(", "[E] mtx_unlock("])
    }

    func test_c11_cnd_outer_lock() throws {
        try checkPotential("c11_cnd_outer_lock", events: 2...2, mustContain: ["[W] cnd_wait(cond_c)", "cnd_broadcast(cond_c)"])
    }

    func test_c11_thrd_join_under_mtx() throws {
        try checkPotential("c11_thrd_join_under_mtx", events: 2...2, mustContain: ["[W] thrd_join(", "[W] mtx_lock(M)"])
    }

    func test_c11_call_once_lock() throws {
        try checkPotential("c11_call_once_lock", events: 2...2, mustContain: ["[W] call_once(once)", "[S] call_once function start(once)"])
    }

    func test_c11_threads_ok() throws { try checkSilent("c11_threads_ok") }

    // MARK: spinlocks, barriers, once, robust mutexes

    func test_spin_abba() throws {
        try checkPotential("spin_abba", events: 2...2, mustContain: ["[W] pthread_spin_lock(", "[E] pthread_spin_unlock("])
    }

    /// An arrival is an event: it depends on the arriving thread's waits in
    /// the barrier's current episode (here a condvar signalled under the
    /// lock a participant holds across the barrier).
    func test_barrier_lock_signal() throws {
        try checkPotential("barrier_lock_signal", events: 3...3,
                           mustContain: ["[W] pthread_barrier_wait(bar)", "[E] pthread_barrier_wait(bar)", "[W] pthread_cond_wait(c)"])
    }

    /// A post after a barrier round and an arrival after a wait for that
    /// post, in rounds that never overlap: "valid since" (the run that
    /// really hangs is PrecisionExamplesTests.test_barrier_post_same_round).
    func test_barrier_post_after() throws { try checkSilent("barrier_post_after") }

    /// Locks held across a barrier in rounds that never overlap: an arrival
    /// does not depend on the locks its thread holds.
    func test_barrier_phases() throws { try checkSilent("barrier_phases") }

    func test_once_lock() throws {
        try checkPotential("once_lock", events: 2...2, mustContain: ["[W] pthread_once(once)", "[S] pthread_once init start(once)"])
    }

    /// A hold recovered with EOWNERDEAD and pthread_mutex_consistent counts.
    func test_robust_consistent_abba() throws {
        let run = try checkPotential("robust_consistent_abba", events: 2...2, mustContain: [Self.mutexWait])
        XCTAssertTrue(run.stdout.contains("recovered 1"), "EOWNERDEAD was not seen\n\(run.transcript)")
        XCTAssertFalse(run.stderr.contains("without pthread_mutex_consistent"), run.transcript)
    }

    // MARK: futexes through syscall()

    /// Both acquisitions contended: FUTEX_LOCK_PI is a lock; the releases in
    /// user space (unseen) must not leave the locks held.
    func test_futex_pi_abba() throws {
        try checkPotential("futex_pi_abba", events: 2...2, mustContain: ["[W] FUTEX_LOCK_PI(", "[S] FUTEX_LOCK_PI("])
    }

    /// A futex lock released in user space is no longer held: its word
    /// no longer names the thread.
    func test_futex_pi_released() throws { try checkSilent("futex_pi_released") }

    func test_futex_wait_outer_lock() throws {
        try checkPotential("futex_wait_outer_lock", events: 2...2, mustContain: ["[W] FUTEX_WAIT(ready)", "FUTEX_WAKE(ready)"])
    }

    func test_futex_pingpong() throws { try checkSilent("futex_pingpong") }

    /// A futex-word lock taken inside a mutex by every thread: its
    /// FUTEX_WAKE is a lock's release, not an event that waits for the
    /// mutex (GStreamer's stream lock around GLib's g_slice lock).
    func test_futex_lock_under_mutex() throws { try checkSilent("futex_lock_under_mutex") }

    /// The same shape as the first contention of F: the cycle closes before
    /// any thread has shown F to be a lock, is held back, and is dropped
    /// when the contender releases F after sleeping on it.
    func test_futex_lock_first_contended() throws {
        try checkSilent("futex_lock_first_contended")
    }

    /// Its twin with the futex lock taken (seen: the taker slept for it)
    /// before the mutex and released inside it: AB-BA, reported.
    func test_futex_lock_released_under_mutex() throws {
        try checkPotential("futex_lock_released_under_mutex", events: 2...2,
                           mustContain: ["[W] FUTEX_WAIT(F)", "FUTEX_WAKE(F)", "pthread_mutex_lock(S)"])
    }

    /// libstdc++'s semaphores, latches, barriers and atomic waits.
    func test_cpp_semaphore_latch() throws { try checkSilent("cpp_semaphore_latch") }

    func test_cpp_semaphore_outer_lock() throws {
        try checkPotential("cpp_semaphore_outer_lock", events: 2...2, mustContain: ["[W] FUTEX_WAIT(ready)", "FUTEX_WAKE(ready)"])
    }

    /// Swift's Synchronization.Mutex and Dispatch, used correctly.
    func test_swift_mutex_dispatch() throws { try checkSilent("swift_mutex_dispatch") }

    // MARK: the annotation API (include/dept.h)

    func test_annotated_futex_lock() throws {
        let run = try checkPotential("annotated_futex_lock", events: 2...2, mustContain: ["[W] lock(lock_a)", "[W] lock(lock_b)"])
        XCTAssertTrue(run.stdout.contains("dept loaded"), run.transcript)
    }

    func test_annotated_completion() throws {
        try checkPotential("annotated_completion", events: 2...2, mustContain: ["[W] wait(completion_class)", "event(completion_class)"])
    }

    func test_annotated_tsan_lock() throws {
        try checkPotential("annotated_tsan_lock", events: 2...2, mustContain: ["[W] lock(lock_p)", "[W] lock(lock_q)"])
    }

    /// An annotated lock's own futex calls are not events of their own.
    func test_annotated_lock_nested() throws { try checkSilent("annotated_lock_nested") }

    func test_swift_annotated_lock() throws {
        try checkPotential("swift_annotated_lock", events: 2...2, mustContain: ["[W] lock(swift_annotated_lock.lockPClass"])
    }

    // MARK: the example list itself

    func test_everyPotentialAndSilentExampleIsCovered() throws {
        let all = try ExampleHeader.all()
        XCTAssertFalse(all.isEmpty, "no examples found in \(DeptPaths.examplesDir.path)")
        let wanted = Set(all.filter { ($0.expect == .potential || $0.expect == .silent)
                                      && !$0.name.hasPrefix("hang_") && !$0.name.hasPrefix("hostile_")   // HostileTests
                                      && !Self.notHere.contains($0.name) }
                            .map(\.name))
        let covered = Self.covered.union(PrecisionExamplesTests.covered)
        XCTAssertEqual(wanted.subtracting(covered).sorted(), [],
                       "potential/silent examples without a test in LockExamplesTests or PrecisionExamplesTests")
        XCTAssertEqual(covered.subtracting(wanted).sorted(), [],
                       "tests for examples that are gone or no longer potential/silent")
        for header in all {
            XCTAssertFalse(header.objects.isEmpty, "\(header.name): empty `// objects:` header")
        }
    }

    /// Examples/README.md has a row for every example, with the verdict
    /// its header expects (19 had gone unlisted).
    func test_everyExampleIsListedInTheExamplesReadme() throws {
        let readme = try String(contentsOf: DeptPaths.examplesDir.appendingPathComponent("README.md"), encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(at: DeptPaths.examplesDir, includingPropertiesForKeys: nil)
        let headers = Dictionary(uniqueKeysWithValues: try ExampleHeader.all().map { ($0.name, $0) })
        for file in files where ExampleHeader.sourceExtensions.contains(file.pathExtension) {
            let name = file.lastPathComponent
            let row = readme.split(separator: "\n").first { $0.hasPrefix("| `\(name)` |") }
            guard let row else { XCTFail("Examples/README.md has no row for \(name)"); continue }
            if let h = headers[file.deletingPathExtension().lastPathComponent] {
                XCTAssertTrue(row.hasPrefix("| `\(name)` | \(h.expect.rawValue) |"),
                              "\(name): the README row does not say `\(h.expect.rawValue)`: \(row)")
            }
        }
    }

    // MARK: the preload does not change what programs do

    func test_plainCProgramOutputUnchangedUnderPreload() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("consistent_order")
        let plain = runExample(example, preload: false, timeout: Self.timeout)
        XCTAssertEqual(plain.exitCode, 0, plain.transcript)
        let preloaded = runExample(example, preload: true, timeout: Self.timeout)
        XCTAssertEqual(preloaded.exitCode, 0, preloaded.transcript)
        XCTAssertEqual(preloaded.stdout, plain.stdout, "stdout changed under the preload\n\(preloaded.transcript)")
        XCTAssertTrue(preloaded.stdout.hasPrefix("consistent_order: done "), preloaded.transcript)
        assertNoDeptLines(preloaded)
    }

    func test_ls_unchangedUnderPreload() throws {
        let ls = DeptPaths.which("ls") ?? "/bin/ls"
        try assertSameBehaviour(ls, ["/"])
    }

    func test_python_threading_unchangedUnderPreload() throws {
        guard let python = DeptPaths.which("python3") else { throw XCTSkip("python3 is not installed") }
        // Resolve wrappers (pyenv shims are shell scripts) to the interpreter.
        let probe = runProgram(python, ["-c", "import sys; print(sys.executable)"], preload: false, timeout: 60)
        let resolved = probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let interpreter = (probe.exitCode == 0 && FileManager.default.isExecutableFile(atPath: resolved)) ? resolved : python
        let script = """
            import threading
            lock = threading.Lock()
            cond = threading.Condition()
            queue = []
            total = [0]
            def producer(base):
                for i in range(500):
                    with cond:
                        queue.append(base + i)
                        cond.notify()
            def consumer():
                while True:
                    with cond:
                        while not queue:
                            cond.wait()
                        item = queue.pop(0)
                    if item is None:
                        return
                    with lock:
                        total[0] += item
            consumers = [threading.Thread(target=consumer) for _ in range(2)]
            producers = [threading.Thread(target=producer, args=(k * 1000,)) for k in range(2)]
            for t in consumers + producers:
                t.start()
            for t in producers:
                t.join()
            with cond:
                queue.extend([None, None])
                cond.notify_all()
            for t in consumers:
                t.join()
            print("python threads done", total[0])
            """
        try assertSameBehaviour(interpreter, ["-c", script])
    }

    func test_git_version_unchangedUnderPreload() throws {
        guard let git = DeptPaths.which("git") else { throw XCTSkip("git is not installed") }
        try assertSameBehaviour(git, ["--version"])
    }

    // MARK: DEPT_OPTIONS

    func test_option_exitcode0_stillReports() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("abba")
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "exitcode=0"], timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: 2...2, exitCode: 0)
    }

    func test_option_exitcode3() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("abba")
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "exitcode=3"], timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: 2...2, exitCode: 3)
    }

    /// A program that reports and then exits with a status of its own
    /// keeps it: only a successful exit becomes `exitcode`. LibreOffice's
    /// soffice.bin exits 81 to be started again, and 66 in its place made
    /// its launcher give up. Status 0 still becomes 66.
    func test_ownNonZeroStatusKept() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("abba_own_status")
        let own = runProgram(example.executable.path, [], preload: true, timeout: Self.timeout)
        assertReport(own, kind: .potential, example: example, events: 2...2, exitCode: 81)
        let zero = runProgram(example.executable.path, ["0"], preload: true, timeout: Self.timeout)
        assertReport(zero, kind: .potential, example: example, events: 2...2, exitCode: 66)
        let three = runProgram(example.executable.path, ["3"], preload: true, env: ["DEPT_OPTIONS": "exitcode=9"],
                               timeout: Self.timeout)
        assertReport(three, kind: .potential, example: example, events: 2...2, exitCode: 3)
        // exit(256) ends the process with 0: that is a successful exit.
        let wrapped = runProgram(example.executable.path, ["256"], preload: true, timeout: Self.timeout)
        assertReport(wrapped, kind: .potential, example: example, events: 2...2, exitCode: 66)
    }

    func test_option_logPath_writesReportFile() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("abba")
        let dir = try DeptPaths.makeTempDir("log_path")
        let prefix = dir.appendingPathComponent("r").path
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "log_path=\(prefix)"], timeout: Self.timeout)
        XCTAssertFalse(run.timedOut, run.transcript)
        let logFile = "\(prefix).\(run.pid)"
        let present = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else {
            XCTFail("no report file \(logFile); \(dir.path) holds \(present.sorted())\n\(run.transcript)")
            return
        }
        assertReportText(text, kind: .potential, header: example.header, pid: run.pid, events: 2...2,
                         context: "--- \(logFile) ---\n\(text)\n--- run ---\n\(run.transcript)")
        assertWarningsWellFormed(text, context: text)
        let deptOnStderr = run.stderrLines.filter { $0.hasPrefix("DEPT:") }
        XCTAssertEqual(deptOnStderr, [], "with log_path, nothing `DEPT:` belongs on stderr\n\(run.transcript)")
        XCTAssertTrue(run.exitedNormally && run.terminationStatus == 66,
                      "a report sent to log_path still sets the exit status 66, got \(run.statusDescription)\n\(run.transcript)")
        XCTAssertTrue(run.stdout.contains("abba: done"), run.transcript)
    }

    /// stats=1: four `DEPT: stats:` lines at exit, after the report; none
    /// without it.
    func test_option_stats() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("abba")
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "stats=1"], timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: 2...2, exitCode: 66)
        let stats = run.stderrLines.filter { $0.hasPrefix("DEPT: stats: pid \(run.pid): ") }
        XCTAssertEqual(stats.count, 4, run.transcript)
        // A and B, and each thread's body (the context its exit ends, which
        // waits made in it lead from): 4 classes, and A -> B, B -> A and
        // each body to the two locks its thread took.
        for want in ["learnt 4 classes, 3 threads, ", "6 dependencies (6 observations)", "the slow path told the core of 4 waits and 0 events",
                     "reported 1 potential deadlock (0 more cycles at the same waits) and 0 live deadlocks or hangs; 0 cycles turned down by a precision rule, 0 suppressed",
                     "gave up on 0 cycle searches (out of budget), 0 observations (over an edge's cap of 8), 0 instance pairs (over a class's cap), 0 waits under a semaphore (over a thread's buffer), 0 waits or events on a small stack"] {
            XCTAssertTrue(stats.contains { $0.contains(want) }, "no stats line says `\(want)`\n\(run.transcript)")
        }
        let plain = runExample(example, preload: true, timeout: Self.timeout)
        XCTAssertFalse(plain.stderr.contains("DEPT: stats:"), plain.transcript)
    }

    /// A thread keeps at most 1024 waits made under one hold of a binary
    /// semaphore; past that they are dropped, and stats=1 says how many:
    /// 1100 mutexes and the last one taken under it make 1101.
    func test_option_stats_countsDroppedSemaphoreWaits() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("sem_lock_many_waits")
        let run = runProgram(example.executable.path, ["1100"], preload: true, env: ["DEPT_OPTIONS": "stats=1"],
                             timeout: Self.timeout)
        XCTAssertTrue(run.stdout.contains("sem_lock_many_waits: done"), run.transcript)
        XCTAssertTrue(run.stderr.contains(", 77 waits under a semaphore (over a thread's buffer), "), run.transcript)
    }

    func test_option_unknownKey_warnsOnce() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("consistent_order")
        let plain = runExample(example, preload: false, timeout: Self.timeout)
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "bogus_key=1"], timeout: Self.timeout)
        let warnings = run.stderrLines.filter { $0.hasPrefix("DEPT: warning:") }
        XCTAssertEqual(warnings.count, 1, "expected exactly one `DEPT: warning:` line\n\(run.transcript)")
        XCTAssertTrue(warnings.allSatisfy { $0.contains("bogus_key") },
                      "the warning must name the unknown key `bogus_key`\n\(run.transcript)")
        // Otherwise the program runs normally.
        let others = run.stderrLines.filter { $0.hasPrefix("DEPT:") && !$0.hasPrefix("DEPT: warning:") }
        XCTAssertEqual(others, [], run.transcript)
        assertWarningsWellFormed(run.stderr, context: run.transcript)
        XCTAssertEqual(run.exitCode, 0, run.transcript)
        XCTAssertEqual(run.stdout, plain.stdout, "stdout changed under the preload\n\(run.transcript)")
    }

    /// fail_on_potential=0: the report is printed, the exit status is the
    /// program's (what `dept run` sets).
    func test_option_failOnPotential0_keepsTheProgramsStatus() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("abba")
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "fail_on_potential=0"], timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: 2...2, exitCode: 0)
    }

    /// strip_path_prefix and color=always change the text only; `,`
    /// separates options as it does for the sanitizers.
    func test_option_stripPathPrefixAndColor() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("abba")
        let root = DeptPaths.packageRoot.path + "/"
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "strip_path_prefix=\(root),color=always"],
                             timeout: Self.timeout)
        XCTAssertTrue(run.stderr.contains(" Examples/abba.c:28 (abba+0x"), "paths relative to the prefix\n\(run.transcript)")
        XCTAssertFalse(run.stderr.contains(root + "Examples/abba.c"), run.transcript)
        XCTAssertTrue(run.stderr.contains("\u{1B}[1;31mDEPT: potential deadlock:"), run.transcript)
        XCTAssertTrue(run.stderr.contains("\nSUMMARY: DEPT: potential deadlock abba.c:28 in ctx_y\n"), "the last line stays plain\n\(run.transcript)")
        let plain = runExample(example, preload: true, env: ["DEPT_OPTIONS": "color=auto"], timeout: Self.timeout)
        XCTAssertFalse(plain.stderr.contains("\u{1B}["), "no colour when stderr is not a terminal\n\(plain.transcript)")
    }

    func test_option_badValue_warnsNamingKey() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("consistent_order")
        let plain = runExample(example, preload: false, timeout: Self.timeout)
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "hang_ms=abc"], timeout: Self.timeout)
        let warnings = run.stderrLines.filter { $0.hasPrefix("DEPT: warning:") }
        XCTAssertTrue(warnings.contains { $0.contains("hang_ms") },
                      "expected a `DEPT: warning:` line naming `hang_ms`\n\(run.transcript)")
        let others = run.stderrLines.filter { $0.hasPrefix("DEPT:") && !$0.hasPrefix("DEPT: warning:") }
        XCTAssertEqual(others, [], run.transcript)
        assertWarningsWellFormed(run.stderr, context: run.transcript)
        XCTAssertEqual(run.exitCode, 0, run.transcript)
        XCTAssertEqual(run.stdout, plain.stdout, "stdout changed under the preload\n\(run.transcript)")
    }

    // MARK: shared checks

    func assertNoDeptLines(_ run: RunResult, file: StaticString = #filePath, line: UInt = #line) {
        let dept = run.stderrLines.filter { $0.hasPrefix("DEPT:") }
        XCTAssertEqual(dept, [], "expected no `DEPT:` line on stderr\n\(run.transcript)", file: file, line: line)
    }

    /// Same stdout and exit status with and without the preload, and no
    /// `DEPT:` line on stderr.
    func assertSameBehaviour(_ executable: String, _ arguments: [String],
                             file: StaticString = #filePath, line: UInt = #line) throws {
        _ = try requirePreload(file: file, line: line)
        let plain = runProgram(executable, arguments, preload: false, timeout: Self.timeout)
        XCTAssertFalse(plain.timedOut, plain.transcript, file: file, line: line)
        let preloaded = runProgram(executable, arguments, preload: true, timeout: Self.timeout)
        XCTAssertFalse(preloaded.timedOut, preloaded.transcript, file: file, line: line)
        XCTAssertEqual(preloaded.stdout, plain.stdout, "stdout changed under the preload\n\(preloaded.transcript)",
                       file: file, line: line)
        XCTAssertEqual(preloaded.exitedNormally, plain.exitedNormally, preloaded.transcript, file: file, line: line)
        XCTAssertEqual(preloaded.terminationStatus, plain.terminationStatus,
                       "exit status changed under the preload: plain \(plain.statusDescription)\n\(preloaded.transcript)",
                       file: file, line: line)
        assertNoDeptLines(preloaded, file: file, line: line)
    }
}
