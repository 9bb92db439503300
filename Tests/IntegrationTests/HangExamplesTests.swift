// Runs the real hangs of Examples/ (hang_*.c) and the three long waits that
// are not hangs (sleeper_signals_later, pipe_reader_later,
// epoll_server_idle_workers) under LD_PRELOAD=libdept.so, and checks the live
// monitor of DESIGN.md §3 ("actual hang") and §5 (reports), issue 5:
//
//  * every hang_* program gets exactly one `DEPT: deadlock:` (or, for
//    hang_eventfd_pair, `DEPT: hang:`) report naming the right threads (by the
//    names the examples give with pthread_setname_np) and objects, with a
//    "blocked threads" section listing every blocked thread, what it waits
//    for and who would wake it, and the process exits with status 66
//    (`on_hang=exit`, `exitcode`) within hang_ms + 2 s of its start;
//  * the long-but-legitimate waits give no verdict (and at most one stall
//    warning, then its "resolved" line);
//  * `on_hang`, `detect_hangs` and `hang_ms` really change what happens.
//
// The hang_* programs hang within milliseconds of their start (their warm-up
// rounds are a few thread creations), so "the report appears within 2 s of
// the hang" is checked as: the whole run, start to exit, takes less than
// hang_ms + 2000 ms; the time before the hang only makes that stricter.
// Scripts/hang-latency measures the latency precisely (stderr time stamps).
//
// Runtime: about 60 s on 2 cores (two runs last until the examples' alarm(10)).

import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class HangExamplesTests: XCTestCase {

    static let timeout: TimeInterval = 15
    /// The default `hang_ms`.
    static let defaultHangMs = 1000

    // MARK: - What each example must show

    /// A thread as a report prints it: `thread T<n> [(main thread) ]["<name>" ]tid <os tid>`.
    struct ThreadRef: CustomStringConvertible {
        let name: String?
        let isMain: Bool

        static func named(_ name: String) -> ThreadRef { ThreadRef(name: name, isMain: false) }
        /// The main thread, unnamed.
        static let main = ThreadRef(name: nil, isMain: true)
        /// The main thread, renamed by the program.
        static func main(_ name: String) -> ThreadRef { ThreadRef(name: name, isMain: true) }

        var description: String {
            (isMain ? "(main thread) " : "") + (name.map { "\"\($0)\"" } ?? "")
        }

        /// Matches `T<n> ... tid <os tid>` for this thread (nothing else).
        var pattern: String {
            #"T[0-9]+ "# + (isMain ? #"\(main thread\) "# : "")
                + (name.map { "\"" + NSRegularExpression.escapedPattern(for: $0) + "\" " } ?? "")
                + #"tid [0-9]+"#
        }

        func matches(_ text: String) -> Bool { firstMatch(makeRegex(pattern), text) != nil }
    }

    /// One line of the "blocked threads" section:
    /// `thread T3 "ctx-Y" tid 3110 blocked for 1247 ms in pthread_mutex_lock(A): held by T2 "ctx-X" tid 3109`.
    struct ExpectedBlocked {
        let thread: ThreadRef
        /// Regex of the operation (the text before the parenthesis).
        let op: String
        /// An object of the example header (its accepted spellings come from
        /// `objectNameChecks`), or nil (a join names a thread).
        let object: String?
        /// The thread the detail must name (the owner, the thread that would
        /// have triggered the event, the joined thread), or nil.
        let by: ThreadRef?
    }

    struct HangCase {
        let name: String
        let kind: ReportKind
        /// `<n>` of the headline: threads in the cycle (deadlock) or threads
        /// blocked (hang).
        let count: Int
        /// The threads of the [S]/[W]/[E] contexts (deadlock), in any order.
        let cycle: [ThreadRef]
        /// Exactly the threads of the "blocked threads" section, in any order.
        let blocked: [ExpectedBlocked]
        /// The kernel proved the deadlock (FUTEX_LOCK_PI failed with
        /// EDEADLK): reported at once, before hang_ms.
        var proven = false
    }

    static let X = ThreadRef.named("ctx-X"), Y = ThreadRef.named("ctx-Y"), Z = ThreadRef.named("ctx-Z")
    static let lock = "pthread_mutex_lock", join = "pthread_join", efdRead = "(eventfd )?read"

    static func b(_ t: ThreadRef, _ op: String, _ object: String?, by: ThreadRef?) -> ExpectedBlocked {
        ExpectedBlocked(thread: t, op: op, object: object, by: by)
    }

    static let cases: [String: HangCase] = {
        var c: [String: HangCase] = [:]
        func add(_ name: String, _ kind: ReportKind, _ count: Int, cycle: [ThreadRef], blocked: [ExpectedBlocked],
                 proven: Bool = false) {
            c[name] = HangCase(name: name, kind: kind, count: count, cycle: cycle, blocked: blocked, proven: proven)
        }
        add("hang_abba", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, lock, "B", by: Y), b(Y, lock, "A", by: X), b(.main, join, nil, by: X),
        ])
        add("hang_abba_after_handoff", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, lock, "B", by: Y), b(Y, lock, "A", by: X), b(.main, join, nil, by: X),
        ])
        // main sleeps ("ctx-watchdog"): not blocked in a wait, not listed.
        // The monitor started for the early worker went while main was
        // alone: a new one is started for X and Y.
        add("hang_abba_after_alone", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, lock, "B", by: Y), b(Y, lock, "A", by: X), b(.main, join, nil, by: X),
        ])
        add("hang_abba_watchdog", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, lock, "B", by: Y), b(Y, lock, "A", by: X),
        ])
        add("hang_three_cycle", .deadlock, 3, cycle: [X, Y, Z], blocked: [
            b(X, lock, "B", by: Y), b(Y, lock, "C", by: Z), b(Z, lock, "A", by: X), b(.main, join, nil, by: X),
        ])
        add("hang_rwlock", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, lock, "M", by: Y), b(Y, "pthread_rwlock_rdlock", "R", by: X), b(.main, join, nil, by: X),
        ])
        add("hang_shlib", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, lock, "M", by: Y), b(Y, lock, "lib_lock", by: X), b(.main, join, nil, by: X),
        ])
        let mainM = ThreadRef.main("ctx-main"), worker = ThreadRef.named("ctx-worker")
        add("hang_join_under_mutex", .deadlock, 2, cycle: [mainM, worker], blocked: [
            b(worker, lock, "M", by: mainM), b(mainM, join, nil, by: worker),
        ])
        // The process's only thread: the monitor is started for it all the
        // same, because it waits for a lock it holds (hang_monitor.c).
        add("hang_self_relock", .deadlock, 1, cycle: [mainM], blocked: [
            b(mainM, lock, "M", by: mainM),
        ])
        // X took sem_b and exited; Y (holding A) waits for sem_b, Z waits for A.
        add("hang_seed_page_lock", .deadlock, 2, cycle: [Y, Z], blocked: [
            b(Z, lock, "A", by: Y), b(Y, "sem_wait", "sem_b", by: Z), b(.main, join, nil, by: Y),
        ])
        add("hang_seed_completion", .deadlock, 2, cycle: [Y, X], blocked: [
            b(X, lock, "A", by: Y), b(Y, "sem_wait", "comp_b", by: X), b(.main, join, nil, by: Y),
        ])
        let waiter = ThreadRef.named("ctx-waiter"), signaller = ThreadRef.named("ctx-signaller")
        add("hang_cond_outer_lock", .deadlock, 2, cycle: [waiter, signaller], blocked: [
            b(signaller, lock, "L", by: waiter), b(waiter, "pthread_cond_wait", "cond_c", by: signaller),
            b(.main, join, nil, by: waiter),
        ])
        let consumer = ThreadRef.named("ctx-consumer"), producer = ThreadRef.named("ctx-producer")
        add("hang_eventfd_under_mutex", .deadlock, 2, cycle: [consumer, producer], blocked: [
            b(producer, lock, "M", by: consumer), b(consumer, efdRead, "efd_e", by: producer),
            b(.main, join, nil, by: consumer),
        ])
        let t1 = ThreadRef.named("ctx-T1"), t2 = ThreadRef.named("ctx-T2"), t3 = ThreadRef.named("ctx-T3")
        add("hang_mixed_three_kinds", .deadlock, 3, cycle: [t1, t2, t3], blocked: [
            b(t3, lock, "M", by: t1), b(t1, "pthread_cond_wait", "cond_c", by: t2), b(t2, efdRead, "efd_e", by: t3),
            b(.main, join, nil, by: t1),
        ])
        // No owner, no history: only "every thread is blocked"; main joins X.
        add("hang_eventfd_pair", .hang, 3, cycle: [], blocked: [
            b(X, efdRead, "efd_1", by: nil), b(Y, efdRead, "efd_2", by: nil), b(.main, join, nil, by: X),
        ])

        // C11 threads.
        add("hang_c11_mtx_abba", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, "mtx_lock", "B", by: Y), b(Y, "mtx_lock", "A", by: X), b(.main, "thrd_join", nil, by: X),
        ])
        add("hang_c11_cnd_outer_lock", .deadlock, 2, cycle: [waiter, signaller], blocked: [
            b(signaller, "mtx_lock", "L", by: waiter), b(waiter, "cnd_wait", "cond_c", by: signaller),
            b(.main, "thrd_join", nil, by: waiter),
        ])
        add("hang_c11_thrd_join_under_mtx", .deadlock, 2, cycle: [mainM, worker], blocked: [
            b(worker, "mtx_lock", "M", by: mainM), b(mainM, "thrd_join", nil, by: worker),
        ])
        // Y waits in call_once for X's function, which waits for L held by Y.
        add("hang_c11_call_once_lock", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, "mtx_lock", "L", by: Y), b(Y, "call_once", "once", by: X), b(.main, "thrd_join", nil, by: X),
        ])

        // Spinlocks, barriers, once.
        add("hang_spin_abba", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, "pthread_spin_lock", "B", by: Y), b(Y, "pthread_spin_lock", "A", by: X), b(.main, join, nil, by: X),
        ])
        // Nobody owns a barrier: X's wait has no known waker, so only the
        // whole process can be proven stuck.
        add("hang_barrier_lock", .hang, 3, cycle: [], blocked: [
            b(X, "pthread_barrier_wait", "bar", by: nil), b(Y, lock, "L", by: X), b(.main, join, nil, by: X),
        ])
        // main sleeps: Y's only waker is the thread that runs the routine.
        add("hang_once_lock", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, lock, "L", by: Y), b(Y, "pthread_once", "once", by: X),
        ])

        // A semaphore its waiter took before (Python's Condition): nobody
        // owns it, so only "every thread is blocked" proves the hang.
        add("hang_sem_handoff_never_posted", .hang, 2, cycle: [], blocked: [
            b(.main, "sem_wait", "waiter", by: nil), b(X, "sem_wait", "go", by: nil),
        ])
        // A semaphore its taker released once is a lock: its holder is the
        // only waker, proven while another thread still runs.
        add("hang_sem_lock_join", .deadlock, 2, cycle: [.main, X], blocked: [
            b(X, "sem_wait", "sem_lock", by: .main), b(.main, join, nil, by: X),
        ])

        // Futexes through syscall().
        add("hang_futex_wait", .hang, 3, cycle: [], blocked: [
            b(X, "FUTEX_WAIT", "word_1", by: nil), b(Y, "FUTEX_WAIT", "word_2", by: nil), b(.main, join, nil, by: X),
        ])
        // Both first locks were taken in user space (never seen): the owners
        // come from the futex words.
        add("hang_futex_pi_abba", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, "FUTEX_LOCK_PI", "B", by: Y), b(Y, "FUTEX_LOCK_PI", "A", by: X), b(.main, join, nil, by: X),
        ], proven: true)
        // The owner read from the word is the waiter itself.
        add("hang_futex_pi_self", .deadlock, 1, cycle: [X], blocked: [
            b(X, "FUTEX_LOCK_PI", "A", by: X), b(.main, join, nil, by: X),
        ], proven: true)
        add("hang_swift_mutex_abba", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, "FUTEX_LOCK_PI", "hang_swift_mutex_abba.mutexB", by: Y),
            b(Y, "FUTEX_LOCK_PI", "hang_swift_mutex_abba.mutexA", by: X), b(.main, join, nil, by: X),
        ], proven: true)
        // Y's DispatchQueue.sync sleeps on a futex of libdispatch's nobody
        // owns; main sleeps in a DispatchSemaphore (sem_wait).
        add("hang_swift_dispatch", .hang, 3, cycle: [], blocked: [
            b(X, "FUTEX_LOCK_PI", "hang_swift_dispatch.state", by: Y), b(Y, "FUTEX_WAIT", nil, by: nil),
            b(.main, "sem_wait", nil, by: nil),
        ])

        // The annotation API.
        add("hang_annotated_futex_lock", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, "lock", "lock_b", by: Y), b(Y, "lock", "lock_a", by: X), b(.main, join, nil, by: X),
        ])
        add("hang_annotated_completion", .deadlock, 2, cycle: [X, Y], blocked: [
            b(X, lock, "A", by: Y), b(Y, "wait", "completion_class", by: X), b(.main, join, nil, by: Y),
        ])
        return c
    }()

    static let notHangs: [String: String] = [
        "sleeper_signals_later": "sleeper_signals_later: done\n",
        "pipe_reader_later": "pipe_reader_later: done (5 bytes)\n",
        "epoll_server_idle_workers": "epoll_server_idle_workers: done\n",
        "join_busy_worker": "join_busy_worker: done\n",
        "idle_pool_busy_main": "idle_pool_busy_main: done\n",
        "woken_not_running": "woken_not_running: done\n",
        "sem_handoff_slow_post": "sem_handoff_slow_post: done\n",
        "sem_gate_opened_by_other": "sem_gate_opened_by_other: done\n",
    ]

    // MARK: - Parsing the live parts of a report

    struct BlockedLine {
        let line: String
        let threadText: String     // `T3 "ctx-Y" tid 3110`
        let ms: Int
        let op: String             // `pthread_mutex_lock`, `eventfd read`
        let object: String         // `A`, `init@hang_eventfd_pair.c:38`, `thread@hang_abba.c:43`
        let detail: String
    }

    static let blockedLineRegex = makeRegex(
        #"^thread (T[0-9]+ .*?tid [0-9]+) blocked for ([0-9]+) ms in ([^(]+)\(([^)]*)\): (.*)$"#)
    /// A frame of a printed stack (`#3 main file.c:12 (prog+0x1234)`).
    static let frameLineRegex = makeRegex(#"^#[0-9]+ \S"#)

    /// The thread lines of the `blocked threads` section of `lines` (a report,
    /// or a stall warning when `fromStart`: its dump has no section title).
    static func blockedLines(_ lines: [String], fromStart: Bool = false) -> [BlockedLine]? {
        var i: Int
        if fromStart {
            i = 1
        } else {
            guard let title = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "blocked threads" })
            else { return nil }
            i = title + 1
        }
        var out: [BlockedLine] = []
        while i < lines.count {
            let l = lines[i]
            if l.hasPrefix("key:") || l.hasPrefix("SUMMARY: DEPT: ") || l.hasPrefix("DEPT: ") { break }
            if let m = firstMatch(blockedLineRegex, l) {
                func g(_ k: Int) -> String { Range(m.range(at: k), in: l).map { String(l[$0]) } ?? "" }
                out.append(BlockedLine(line: l, threadText: g(1), ms: Int(g(2)) ?? -1,
                                       op: g(3).trimmingCharacters(in: .whitespaces), object: g(4), detail: g(5)))
            }
            i += 1
        }
        return out
    }

    /// The thread of every `context <X>: thread ...` line (summary and details).
    static func contextThreads(_ lines: [String]) -> [String: String] {
        let re = makeRegex(#"^context ([A-Z]+): thread (T[0-9]+ .*tid [0-9]+)$"#)
        var out: [String: String] = [:]
        for l in lines {
            if let m = firstMatch(re, l), let c = Range(m.range(at: 1), in: l), let t = Range(m.range(at: 2), in: l) {
                out[String(l[c])] = String(l[t])
            }
        }
        return out
    }

    static func liveHeadlines(_ run: RunResult) -> [String] {
        run.stderrLines.filter { $0.hasPrefix("DEPT: deadlock:") || $0.hasPrefix("DEPT: hang:") }
    }

    // MARK: - Checks

    /// Problems of the "blocked threads" section against the expectations.
    func blockedProblems(_ lines: [BlockedLine]?, expected: [ExpectedBlocked], header: ExampleHeader,
                         exact: Bool = true) -> [String] {
        guard let lines = lines else { return ["no `blocked threads` section"] }
        var problems: [String] = []
        let checks = objectNameChecks(for: header)
        for e in expected {
            let mine = lines.filter { Self.isExactly(e.thread, $0.threadText) }
            guard mine.count == 1 else {
                problems.append("thread \(e.thread) listed \(mine.count) times as blocked (expected once)")
                continue
            }
            let l = mine[0]
            if firstMatch(makeRegex("^(" + e.op + ")$"), l.op) == nil {
                problems.append("thread \(e.thread) blocked in `\(l.op)`, expected /\(e.op)/: \(l.line)")
            }
            if let object = e.object {
                let check = checks.first { $0.name == object } ?? symbolNameCheck(object)
                if !check.found(in: "(" + l.object + ")") {
                    problems.append("thread \(e.thread) waits for `\(l.object)`, expected \(object) (\(check.explanation)): \(l.line)")
                }
            }
            if let by = e.by, !by.matches(l.detail) {
                problems.append("thread \(e.thread): the detail does not name \(by): \(l.line)")
            }
        }
        if exact && lines.count != expected.count {
            problems.append("\(lines.count) blocked threads listed, expected \(expected.count) ("
                            + expected.map(\.thread.description).joined(separator: ", ") + ")")
        }
        return problems
    }

    /// `T3 "ctx-Y" tid 3110` is exactly `ref` (not the main thread when ref is
    /// not, and the same name).
    static func isExactly(_ ref: ThreadRef, _ threadText: String) -> Bool {
        firstMatch(makeRegex("^" + ref.pattern + "$"), threadText) != nil
    }

    /// Runs a hang_* example and checks everything issue 5 asks of its report.
    @discardableResult
    func checkHang(_ name: String, env: [String: String] = [:], hangMs: Int = HangExamplesTests.defaultHangMs,
                   maxWall: TimeInterval? = nil,
                   file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        _ = try requirePreload(file: file, line: line)
        guard let c = Self.cases[name] else {
            XCTFail("no expectations for \(name) in HangExamplesTests.cases", file: file, line: line)
            throw HarnessError("unknown example \(name)")
        }
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        XCTAssertEqual(example.header.expect.rawValue, c.kind.rawValue,
                       "\(name): the header no longer says `expect: \(c.kind.rawValue)`", file: file, line: line)
        let run = runExample(example, preload: true, env: env, timeout: Self.timeout)

        // Exactly one live verdict, of the right kind.
        let heads = Self.liveHeadlines(run)
        XCTAssertEqual(heads.count, 1, "expected exactly one `DEPT: deadlock:`/`DEPT: hang:` line, found:\n"
                       + heads.joined(separator: "\n") + "\n\(run.transcript)", file: file, line: line)
        let other: ReportKind = c.kind == .deadlock ? .hang : .deadlock
        XCTAssertTrue(parseReports(run.stderr, kind: other).isEmpty,
                      "a `\(other.rawValue)` report where the example expects `\(c.kind.rawValue)`\n\(run.transcript)",
                      file: file, line: line)

        // The report: headline, objects, pid, key, SUMMARY (and, for a
        // deadlock, the [S]/[W]/[E] contexts of the cycle).
        var report: ParsedReport?
        let cycleMatch: [(String, NSRegularExpression)] = c.cycle.map { t in
            ("a context of thread \(t)", makeRegex(#"^context [A-Z]+: thread "# + t.pattern + "$", [.anchorsMatchLines]))
        }
        switch c.kind {
        case .deadlock:
            report = assertReportText(run.stderr, kind: .deadlock, header: example.header, pid: run.pid,
                                      events: c.count...c.count, mustMatch: cycleMatch,
                                      context: run.transcript, file: file, line: line)
            if let r = report {
                let contexts = Self.contextThreads(r.lines)
                XCTAssertEqual(contexts.count, c.count, "expected \(c.count) contexts ([S]/[W]/[E] blocks), found "
                               + "\(contexts.sorted { $0.key < $1.key })\n\(run.transcript)", file: file, line: line)
            }
        case .hang:
            report = checkHangReport(run, example: example, count: c.count, hangMs: hangMs, file: file, line: line)
        case .potential:
            XCTFail("not a live verdict", file: file, line: line)
        }
        assertWarningsWellFormed(run.stderr, context: run.transcript, file: file, line: line)

        // Every blocked thread, what it waits for, who would wake it.
        if let r = report {
            let blocked = Self.blockedLines(r.lines)
            let problems = blockedProblems(blocked, expected: c.blocked, header: example.header)
            XCTAssertTrue(problems.isEmpty, "the `blocked threads` section of the \(c.kind.rawValue) report:\n  - "
                          + problems.joined(separator: "\n  - ") + "\n\(run.transcript)", file: file, line: line)
            // The verdict came after hang_ms (not before), and not late by the
            // detector's own clock; a deadlock the kernel proved, at once.
            let oldest = (blocked ?? []).map(\.ms).max() ?? -1
            let expected = c.proven ? 0...(hangMs - 1) : hangMs...(hangMs + 1999)
            XCTAssertTrue(expected.contains(oldest),
                          "the longest `blocked for` in the report is \(oldest) ms, expected \(expected) ms\n\(run.transcript)",
                          file: file, line: line)
        }

        // on_hang=exit (default): exit status 66, well before the alarm.
        XCTAssertFalse(run.timedOut, "the run timed out\n\(run.transcript)", file: file, line: line)
        XCTAssertTrue(run.exitedNormally && run.terminationStatus == 66,
                      "expected exit status 66 after the \(c.kind.rawValue) report, got \(run.statusDescription)\n"
                      + run.transcript, file: file, line: line)
        XCTAssertFalse(run.stdout.contains("unreachable"), run.transcript, file: file, line: line)
        let limit = maxWall ?? Double(hangMs + 2000) / 1000
        XCTAssertLessThan(run.wallTime, limit,
                          String(format: "the report (and exit) came %.2f s after the start, expected < %.2f s "
                                 + "(hang_ms %d + 2 s)\n", run.wallTime, limit, hangMs) + run.transcript,
                          file: file, line: line)
        return run
    }

    /// A `DEPT: hang:` report: the [S]/[W]/[E] cycle is optional (no cycle
    /// is known), the rest is as for the other kinds.
    func checkHangReport(_ run: RunResult, example: BuiltExample, count: Int, hangMs: Int,
                         file: StaticString = #filePath, line: UInt = #line) -> ParsedReport? {
        let reports = parseReports(run.stderr, kind: .hang)
        guard let r = reports.first else {
            XCTFail("no `hang` report: expected a line matching /\(ReportKind.hang.headlinePattern)/\n\(run.transcript)",
                    file: file, line: line)
            return nil
        }
        var problems: [String] = []
        if r.pid != Int(run.pid) { problems.append("headline pid \(r.pid), expected \(run.pid)") }
        if r.count != count { problems.append("headline says \(r.count) threads blocked, expected \(count)") }
        let progressMs = r.numbers.first ?? -1
        if progressMs < hangMs {
            problems.append("headline says no progress for \(progressMs) ms, less than hang_ms \(hangMs)")
        }
        if !r.lines.contains(where: { $0.hasPrefix("key: ") }) { problems.append("no `key: ` line") }
        if !r.lines.contains(where: { $0.hasPrefix("SUMMARY: DEPT: hang ") }) {
            problems.append("no `SUMMARY: DEPT: hang ...` line")
        }
        if let blocked = Self.blockedLines(r.lines), blocked.count != r.count {
            problems.append("the headline says \(r.count) threads blocked, the section lists \(blocked.count)")
        }
        for check in objectNameChecks(for: example.header) where !check.found(in: r.text) {
            problems.append("object \(check.name) not named (accepted: \(check.explanation))")
        }
        // Every blocked thread with its symbolized stack: a frame line right
        // after each thread line. Runtime frames are folded away, so the
        // first shown frame need not be #0 (a DispatchSemaphore wait starts
        // in libdispatch).
        let lines = r.lines
        for (i, l) in lines.enumerated() where firstMatch(Self.blockedLineRegex, l) != nil {
            let next = i + 1 < lines.count ? lines[i + 1].trimmingCharacters(in: .whitespaces) : ""
            if firstMatch(Self.frameLineRegex, next) == nil {
                problems.append("no stack after `\(l)`")
            }
        }
        XCTAssertTrue(problems.isEmpty, "the hang report:\n  - " + problems.joined(separator: "\n  - ")
                      + "\n\(run.transcript)", file: file, line: line)
        return r
    }

    // MARK: - Real hangs (one test per example)

    func test_hang_abba() throws { try checkHang("hang_abba") }
    /// A binary semaphore its holder waited for again (Python's Condition
    /// waiter lock) is handed between threads: its second take is no hold,
    /// and X's blocked-thread entry names A alone.
    func test_hang_abba_after_handoff() throws {
        let run = try checkHang("hang_abba_after_handoff")
        let holds = splitLines(run.stderr).filter { $0.hasPrefix("  holds ") }
        XCTAssertEqual(holds.count, 2, "one `holds` line for X and one for Y:\n\(run.stderr)")
        XCTAssertFalse(holds.contains { $0.contains("waiter") }, "the handed semaphore is listed as held: \(holds)")
        XCTAssertTrue(holds.contains { $0.hasPrefix("  holds A") }, "X's entry does not name A: \(holds)")
    }
    /// The example spends 1.6 s (its first worker, then a second and a
    /// half alone) before its threads deadlock: the usual limit, hang_ms +
    /// 2 s from the start, left it 0.4 s and failed once at 3.27 s on a
    /// loaded machine. The limit counts from the deadlock instead.
    func test_hang_abba_after_alone() throws { try checkHang("hang_abba_after_alone", maxWall: 1.6 + 1.0 + 2.0) }

    /// main sleeps in a loop instead of joining: a sleeping thread could wake
    /// nobody here, the X/Y cycle is proven from ownership.
    func test_hang_abba_watchdog() throws { try checkHang("hang_abba_watchdog") }

    func test_hang_three_cycle() throws { try checkHang("hang_three_cycle") }
    func test_hang_rwlock() throws { try checkHang("hang_rwlock") }
    func test_hang_shlib() throws { try checkHang("hang_shlib") }
    func test_hang_join_under_mutex() throws { try checkHang("hang_join_under_mutex") }
    func test_hang_self_relock() throws { try checkHang("hang_self_relock") }
    func test_hang_seed_page_lock() throws { try checkHang("hang_seed_page_lock") }
    func test_hang_seed_completion() throws { try checkHang("hang_seed_completion") }
    func test_hang_cond_outer_lock() throws { try checkHang("hang_cond_outer_lock") }
    func test_hang_eventfd_under_mutex() throws { try checkHang("hang_eventfd_under_mutex") }
    func test_hang_mixed_three_kinds() throws { try checkHang("hang_mixed_three_kinds") }
    func test_hang_eventfd_pair() throws { try checkHang("hang_eventfd_pair") }

    func test_hang_c11_mtx_abba() throws { try checkHang("hang_c11_mtx_abba") }
    func test_hang_c11_cnd_outer_lock() throws { try checkHang("hang_c11_cnd_outer_lock") }
    func test_hang_c11_thrd_join_under_mtx() throws { try checkHang("hang_c11_thrd_join_under_mtx") }
    func test_hang_c11_call_once_lock() throws { try checkHang("hang_c11_call_once_lock") }
    func test_hang_spin_abba() throws { try checkHang("hang_spin_abba") }
    func test_hang_barrier_lock() throws { try checkHang("hang_barrier_lock") }
    func test_hang_once_lock() throws { try checkHang("hang_once_lock") }
    func test_hang_futex_wait() throws { try checkHang("hang_futex_wait") }

    /// The kernel's EDEADLK: reported before the program dies of it (the
    /// plain run aborts with "Recursive call to lock Mutex").
    func test_hang_futex_pi_abba() throws {
        let run = try checkHang("hang_futex_pi_abba")
        XCTAssertFalse(run.stderr.contains("Recursive call"), "the program went on after the report\n\(run.transcript)")
    }

    /// A thread asking for the PI futex lock it holds.
    func test_hang_futex_pi_self() throws {
        let run = try checkHang("hang_futex_pi_self")
        XCTAssertFalse(run.stderr.contains("Recursive call"), "the program went on after the report\n\(run.transcript)")
    }

    /// Swift's Synchronization.Mutex AB-BA: the runtime traps on EDEADLK.
    func test_hang_swift_mutex_abba() throws {
        let run = try checkHang("hang_swift_mutex_abba")
        XCTAssertFalse(run.stderr.contains("Fatal error"), "the Swift runtime trapped before or without the report\n\(run.transcript)")
    }

    func test_hang_swift_dispatch() throws { try checkHang("hang_swift_dispatch") }
    func test_hang_annotated_futex_lock() throws { try checkHang("hang_annotated_futex_lock") }
    func test_hang_annotated_completion() throws { try checkHang("hang_annotated_completion") }

    // MARK: - Long waits that are not hangs

    func checkNotHang(_ name: String, env: [String: String] = [:],
                      file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        _ = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        XCTAssertEqual(example.header.expect, .silent, "\(name): the header no longer says `expect: silent`",
                       file: file, line: line)
        let run = runExample(example, preload: true, env: env, timeout: Self.timeout)
        XCTAssertEqual(Self.liveHeadlines(run), [], "a long but legitimate wait got a verdict\n\(run.transcript)",
                       file: file, line: line)
        return run
    }

    /// Workers wait 3 s on a condvar that the sleeping main thread broadcasts.
    func test_sleeper_signals_later() throws {
        let run = try checkNotHang("sleeper_signals_later")
        assertSilent(run, plainStdout: Self.notHangs["sleeper_signals_later"])
    }

    /// A reader blocked 2 s in read() on a pipe a sleeping feeder writes.
    func test_pipe_reader_later() throws {
        let run = try checkNotHang("pipe_reader_later")
        assertSilent(run, plainStdout: Self.notHangs["pipe_reader_later"])
    }

    /// main joins a worker that computes for 2.5 s, with stall_ms=1500: a
    /// join on a running thread is neither a hang nor a stall.
    func test_join_busy_worker_noStall() throws {
        let run = try checkNotHang("join_busy_worker", env: ["DEPT_OPTIONS": "stall_ms=1500"])
        assertSilent(run, plainStdout: Self.notHangs["join_busy_worker"])
    }

    /// Three workers idle on a condvar for 3 s while main computes, with
    /// stall_ms=1500: a process whose other threads compute has not
    /// stopped, so its idle workers are no stall (ProcessQuiet). The same
    /// workers while main sleeps are one (test_sleeper_signals_later_...).
    func test_idle_pool_busy_main_noStall() throws {
        let run = try checkNotHang("idle_pool_busy_main", env: ["DEPT_OPTIONS": "stall_ms=1500"])
        assertSilent(run, plainStdout: Self.notHangs["idle_pool_busy_main"])
    }

    /// The idle server with stall_ms=1500: its workers wait on a condvar
    /// for 2.5 s in a quiet process, but the server thread waits in
    /// epoll_wait for input, so the process is idle, waiting for a client,
    /// not stopped: no stall warning (knotd, rsyslogd and iperf printed one
    /// after 10 s without clients, survey 12).
    func test_epoll_server_idle_workers_noStall() throws {
        let run = try checkNotHang("epoll_server_idle_workers", env: ["DEPT_OPTIONS": "stall_ms=1500"])
        assertSilent(run, plainStdout: Self.notHangs["epoll_server_idle_workers"])
    }

    /// Python's Condition.wait with a notify 1.5 s later (longer than
    /// hang_ms): the thread waits on the binary semaphore it took itself,
    /// which any thread may post, so it is not its own only waker. Every
    /// Python thread that waited a second for an Event was killed as a
    /// deadlock of one thread.
    func test_sem_handoff_slow_post() throws {
        let run = try checkNotHang("sem_handoff_slow_post")
        assertSilent(run, plainStdout: Self.notHangs["sem_handoff_slow_post"])
    }

    /// Near miss: the thread that would post it waits for main first.
    func test_hang_sem_handoff_never_posted() throws { try checkHang("hang_sem_handoff_never_posted") }

    /// A semaphore with one token used as a gate: main closes it, a third
    /// thread opens it 1.5 s later while main joins the waiter. No taker
    /// ever released it, so main's take is no ownership: main and the
    /// waiter were called a deadlock and the process ended.
    func test_sem_gate_opened_by_other() throws {
        let run = try checkNotHang("sem_gate_opened_by_other")
        assertSilent(run, plainStdout: Self.notHangs["sem_gate_opened_by_other"])
    }

    /// Near miss: the semaphore was released by its taker once (a lock);
    /// main holds it and joins the worker that waits for it.
    func test_hang_sem_lock_join() throws { try checkHang("hang_sem_lock_join") }

    /// A thread whose wait is over in the kernel but that does not run (a
    /// tracer keeps it stopped 2.5 s, as a loaded machine may keep a woken
    /// thread waiting for a CPU): the kernel says it is not asleep, so no
    /// hang, though dept's books say it waits and main joins it.
    func test_woken_not_running() throws {
        let run = try checkNotHang("woken_not_running")
        assertSilent(run, plainStdout: Self.notHangs["woken_not_running"])
    }

    /// A server in epoll_wait, idle workers on a condvar, main sleeping 2.5 s.
    func test_epoll_server_idle_workers() throws {
        let run = try checkNotHang("epoll_server_idle_workers")
        assertSilent(run, plainStdout: Self.notHangs["epoll_server_idle_workers"])
    }

    /// "A worker idle on a condvar for 10 s while the main thread sleeps" is
    /// no deadlock or hang. Shorter and as strong: with hang_ms=200 the
    /// workers of sleeper_signals_later wait 15 times hang_ms (3 s) while main
    /// sleeps, and the monitor analyses the state a dozen times.
    func test_longIdleConditionWait_hangMs200_isNoHang() throws {
        let run = try checkNotHang("sleeper_signals_later", env: ["DEPT_OPTIONS": "hang_ms=200"])
        assertSilent(run, plainStdout: Self.notHangs["sleeper_signals_later"])
    }

    /// stall_ms=1500: the workers of sleeper_signals_later are blocked for 3 s
    /// without a verdict: one `DEPT: warning: stall:` dump of the three
    /// workers, then one `DEPT: info: stall resolved` line once main has
    /// broadcast (information, not a warning), and the exit status is
    /// unchanged.
    func test_sleeper_signals_later_stallWarningThenResolved() throws {
        let run = try checkNotHang("sleeper_signals_later", env: ["DEPT_OPTIONS": "stall_ms=1500"])
        let lines = run.stderrLines
        let stalls = lines.indices.filter { lines[$0].hasPrefix("DEPT: warning: stall:") }
        let resolved = lines.indices.filter { lines[$0].hasPrefix("DEPT: info: stall resolved") }
        XCTAssertEqual(stalls.count, 1, "expected exactly one `DEPT: warning: stall:` line\n\(run.transcript)")
        XCTAssertEqual(resolved.count, 1, "expected exactly one `DEPT: info: stall resolved` line after the "
                       + "workers were woken\n\(run.transcript)")
        if let s = stalls.first, let r = resolved.first {
            XCTAssertLessThan(s, r, "`stall resolved` before the stall warning\n\(run.transcript)")
        }
        if let s = stalls.first {
            // The dump: every worker, in pthread_cond_wait(go), with its stack.
            let dump = Array(lines[s...].prefix { l in l == lines[s] || !l.hasPrefix("DEPT: ") })
            let workers = (0..<3).map { ThreadRef.named("ctx-worker-\($0)") }
            let expected = workers.map { Self.b($0, "pthread_cond_wait", "go", by: nil) }
            let example = try ExampleBuilder.shared.build("sleeper_signals_later")
            let problems = blockedProblems(Self.blockedLines(dump, fromStart: true), expected: expected,
                                           header: example.header)
            XCTAssertTrue(problems.isEmpty, "the stall dump:\n  - " + problems.joined(separator: "\n  - ")
                          + "\n\(run.transcript)")
            XCTAssertTrue(dump.contains { $0.contains("#0 ") && $0.contains("sleeper_signals_later.c:") },
                          "the stall dump has no symbolized stack\n\(run.transcript)")
            XCTAssertTrue(lines[s].contains("3 thread"), "the stall warning should count 3 threads: \(lines[s])")
            // Main sleeps, in no wait: the one thread that may end the stall.
            XCTAssertTrue(lines[s].contains("; still running, and may wake them: T1 (main thread) \"ctx-main\" tid "),
                          "the stall warning should name main as running: \(lines[s])")
        }
        let reports = run.stderrLines.filter { $0.hasPrefix("DEPT:") && !$0.hasPrefix("DEPT: warning:") && !$0.hasPrefix("DEPT: info:") }
        XCTAssertEqual(reports, [], "a stall is no report\n\(run.transcript)")
        assertWarningsWellFormed(run.stderr, context: run.transcript)
        XCTAssertTrue(run.exitedNormally && run.terminationStatus == 0,
                      "a stall changes no exit status: got \(run.statusDescription)\n\(run.transcript)")
        XCTAssertEqual(run.stdout, Self.notHangs["sleeper_signals_later"], run.transcript)
    }

    // MARK: - Options: each one changes what happens

    /// on_hang=report: one deadlock report, then the process keeps running
    /// (hung) until its own alarm(10) kills it: SIGALRM, not 66.
    func test_option_onHangReport_keepsRunningUntilAlarm() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("hang_abba")
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "on_hang=report"], timeout: Self.timeout)
        XCTAssertEqual(Self.liveHeadlines(run).count, 1,
                       "expected the deadlock report exactly once in ~9 s of hanging\n\(run.transcript)")
        assertReportText(run.stderr, kind: .deadlock, header: example.header, pid: run.pid, events: 2...2,
                         context: run.transcript)
        XCTAssertFalse(run.timedOut, "the run timed out (the alarm should end it at 10 s)\n\(run.transcript)")
        XCTAssertEqual(run.signal, SIGALRM, "expected the example's alarm(10) to end it (SIGALRM), got "
                       + "\(run.statusDescription)\n\(run.transcript)")
        XCTAssertGreaterThan(run.wallTime, 9.0, "the process did not keep running\n\(run.transcript)")
    }

    /// on_hang=abort: the deadlock report, then SIGABRT (for a core dump).
    func test_option_onHangAbort_raisesSIGABRT() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("hang_abba")
        // In a scratch directory: a core file, if any, lands there.
        let dir = try DeptPaths.makeTempDir("on_hang_abort")
        var env = ProcessRunner.cleanEnvironment()
        let overrides = ["LD_PRELOAD": DeptPaths.preload.path, "DEPT_OPTIONS": "on_hang=abort"]
        for (k, v) in overrides { env[k] = v }
        // A short timeout: the abort is due ~1.3 s after the start.
        let run = ProcessRunner.run(executable: example.executable.path, environment: env, overrides: overrides,
                                    currentDirectory: dir, timeout: 6)
        XCTAssertEqual(Self.liveHeadlines(run).count, 1, run.transcript)
        assertReportText(run.stderr, kind: .deadlock, header: example.header, pid: run.pid, events: 2...2,
                         context: run.transcript)
        XCTAssertFalse(run.timedOut, run.transcript)
        XCTAssertEqual(run.signal, SIGABRT, "expected SIGABRT, got \(run.statusDescription)\n\(run.transcript)")
        XCTAssertLessThan(run.wallTime, Double(Self.defaultHangMs + 2000) / 1000, run.transcript)
    }

    /// detect_hangs=0: no monitor, so no live verdict (the potential report
    /// of the AB-BA order may appear); the process hangs until its alarm.
    func test_option_detectHangs0_noLiveVerdict() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("hang_abba")
        let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "detect_hangs=0"], timeout: Self.timeout)
        XCTAssertEqual(Self.liveHeadlines(run), [], "detect_hangs=0 still reported a live verdict\n\(run.transcript)")
        XCTAssertFalse(run.stderrLines.contains { $0.hasPrefix("DEPT: warning: stall") }, run.transcript)
        XCTAssertFalse(run.timedOut, run.transcript)
        XCTAssertEqual(run.signal, SIGALRM, "expected the example's alarm(10) to end it (SIGALRM), got "
                       + "\(run.statusDescription)\n\(run.transcript)")
    }

    /// hang_ms=300: the verdict comes before the default hang_ms could have
    /// elapsed (the detector's "blocked for" is 300 ... 999 ms) and the run
    /// ends within 2.3 s.
    func test_option_hangMs300_reportsSooner() throws {
        let run = try checkHang("hang_abba", env: ["DEPT_OPTIONS": "hang_ms=300"], hangMs: 300, maxWall: 2.3)
        if let r = parseReports(run.stderr, kind: .deadlock).first, let blocked = Self.blockedLines(r.lines) {
            let oldest = blocked.map(\.ms).max() ?? -1
            XCTAssertLessThan(oldest, Self.defaultHangMs,
                              "with hang_ms=300 the verdict waited \(oldest) ms, as long as the default\n\(run.transcript)")
        }
    }

    // MARK: - Last words: the dump when a timeout ends a stuck process

    /// timeout_stuck_worker, ended by `how` (its argument): one stall dump
    /// naming the worker's wait, what it holds and its stack, saying why
    /// the process goes; then the end the program would have had anyway.
    /// `slowSpawn`: libslow_spawn.so is preloaded after libdept.so.
    /// `symbolizerMs`: dept's symbolizer takes that long (slow_symbolizer).
    @discardableResult
    func checkLastWords(_ how: String?, via wrapper: [String] = [], why: String, slowSpawn: Bool = false,
                        symbolizerMs: Int? = nil,
                        file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let lib = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build("timeout_stuck_worker", file: file, line: line)
        let args = how.map { [$0] } ?? []
        let built = example.executable.deletingLastPathComponent()
        var env = slowSpawn ? ["LD_PRELOAD": lib.path + ":" + built.appendingPathComponent("libslow_spawn.so").path] : [:]
        if let ms = symbolizerMs {
            guard let symbolizer = DeptPaths.which("llvm-symbolizer") else {
                XCTFail("llvm-symbolizer is not on PATH", file: file, line: line)
                throw HarnessError("llvm-symbolizer is not on PATH")
            }
            env["DEPT_OPTIONS"] = "symbolizer_path=" + built.appendingPathComponent("slow_symbolizer").path
            env["SLOW_SYMBOLIZER_NEXT"] = symbolizer
            env["SLOW_SYMBOLIZER_MS"] = String(ms)
        }
        let run = wrapper.isEmpty
            ? runProgram(example.executable.path, args, preload: !slowSpawn, env: env, timeout: Self.timeout)
            : runProgram(wrapper[0], Array(wrapper.dropFirst()) + [example.executable.path] + args, preload: !slowSpawn, env: env,
                         timeout: Self.timeout)
        let dumps = run.stderrLines.filter { $0.hasPrefix("DEPT: warning: stall:") }
        XCTAssertEqual(dumps.count, 1, "one dump\n\(run.transcript)", file: file, line: line)
        XCTAssertTrue(dumps.first.map { $0.range(of: "1 thread\\(s\\) blocked for up to [0-9]+ ms \\(more than 1000 ms each\\) without a verdict \(NSRegularExpression.escapedPattern(for: why)) \\(pid ", options: .regularExpression) != nil } ?? false,
                      "\(dumps)\n\(run.transcript)", file: file, line: line)
        let lines = run.stderrLines
        if let b = lines.firstIndex(where: { $0.hasPrefix("thread T2 \"ctx-worker\" tid ") }) {
            XCTAssertTrue(lines[b].contains("in pthread_cond_wait(job_ready)"), lines[b], file: file, line: line)
            XCTAssertTrue(lines[b + 1].contains(" worker ") && lines[b + 1].contains("timeout_stuck_worker.c:"), lines[b + 1],
                          file: file, line: line)
            XCTAssertTrue(lines[b + 2].hasPrefix("  holds jobs_lock (worker timeout_stuck_worker.c:"), lines[b + 2], file: file, line: line)
        } else {
            XCTFail("the dump does not list the worker\n\(run.transcript)", file: file, line: line)
        }
        XCTAssertEqual(Self.liveHeadlines(run), [], "no verdict was possible\n\(run.transcript)", file: file, line: line)
        assertWarningsWellFormed(run.stderr, context: run.transcript, file: file, line: line)
        return run
    }

    /// Its own alarm(2): the dump, then death by SIGALRM as without dept.
    func test_lastWords_alarm() throws {
        let run = try checkLastWords(nil, why: "when the process got SIGALRM")
        XCTAssertEqual(run.signal, SIGALRM, run.transcript)
    }

    /// The worker blocks before main's pthread_create has returned (so
    /// before dept there has started its monitor): the monitor, started
    /// after, still finds it, and the alarm still gets its dump. On a busy
    /// machine this order came by chance (1 run in 3 with two runs at once).
    func test_lastWords_workerBlockedBeforeItsCreateReturned() throws {
        let run = try checkLastWords(nil, why: "when the process got SIGALRM", slowSpawn: true)
        XCTAssertEqual(run.signal, SIGALRM, run.transcript)
    }

    /// A runner that signals the whole process group twice (timeout(1)
    /// signals the program, then its group; ^C twice): the second SIGTERM
    /// reaches dept's symbolizer, which the first one's dump started. The
    /// dump keeps its function names and lines (the helper keeps such
    /// signals blocked); before, the helper died and the frames were bare
    /// addresses. The symbolizer is made slow so that the second signal
    /// finds it running.
    func test_lastWords_groupSignalledTwice_dumpStillSymbolized() throws {
        // The program in a process group of its own: "$@" is the example.
        let script = """
            setsid "$@" &
            pid=$!
            sleep 2.5; kill -TERM -$pid; sleep 0.3; kill -TERM -$pid
            wait $pid
            """
        let run = try checkLastWords("sleep", via: ["/bin/sh", "-c", script, "sh"], why: "when the process got SIGTERM",
                                     symbolizerMs: 600)
        XCTAssertEqual(run.exitCode, 128 + SIGTERM, run.transcript)
    }

    /// The dump's symbolizer takes 3 s (a loaded machine): the handler
    /// waits for a dump the monitor has begun, not just two seconds, so
    /// the alarm still gets its dump with function names and lines. Before,
    /// the process died after two seconds and printed nothing.
    func test_lastWords_slowSymbolizer_dumpStillComes() throws {
        let run = try checkLastWords(nil, why: "when the process got SIGALRM", symbolizerMs: 3000)
        XCTAssertEqual(run.signal, SIGALRM, run.transcript)
    }

    /// A test runner's timeout: SIGTERM (timeout(1) exits 124).
    func test_lastWords_SIGTERM() throws {
        guard let timeout = DeptPaths.which("timeout") else { return XCTFail("timeout(1) (coreutils) is not installed") }
        let run = try checkLastWords("sleep", via: [timeout, "-s", "TERM", "3"], why: "when the process got SIGTERM")
        XCTAssertEqual(run.exitCode, 124, run.transcript)
    }

    /// A watchdog thread's exit(3) and _exit(4): the dump, then that status.
    func test_lastWords_watchdogExit() throws {
        XCTAssertEqual(try checkLastWords("exit", why: "when the process called exit").exitCode, 3)
        XCTAssertEqual(try checkLastWords("_exit", why: "when the process called _exit").exitCode, 4)
    }

    /// The other thread calls exit(0) while the worker is still parked
    /// (BEAM ends from a scheduler thread): a success explains itself, no
    /// dump.
    func test_lastWords_notOnSuccess() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("timeout_stuck_worker")
        let run = runProgram(example.executable.path, ["exit0"], preload: true, timeout: Self.timeout)
        assertSilent(run, plainStdout: "")
    }

    /// The other thread computes for 2 s, then fails with exit(5), the
    /// worker still parked (blender's exit(1) after a Python error, its
    /// OpenBLAS pool idle; survey 13): a process that was working is no
    /// watchdog's, no dump. The near miss is test_lastWords_watchdogExit,
    /// whose watchdog sleeps.
    func test_lastWords_notWhenAFailingProgramWorked() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("timeout_stuck_worker")
        let run = runProgram(example.executable.path, ["fail"], preload: true, timeout: Self.timeout)
        XCTAssertEqual(run.exitCode, 5, run.transcript)
        XCTAssertEqual(run.stderrLines.filter { $0.hasPrefix("DEPT:") }, [], run.transcript)
    }

    /// The worker is woken after 1.5 s and main returns: no dump (the
    /// handlers were removed when the wait ended; returning from main is
    /// no watchdog).
    func test_lastWords_notWhenTheWaitEnds() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("timeout_stuck_worker")
        let run = runProgram(example.executable.path, ["clean"], preload: true, timeout: Self.timeout)
        assertSilent(run, plainStdout: "timeout_stuck_worker: done\n")
    }

    // MARK: - The example list itself

    func test_everyHangExampleIsCovered() throws {
        let all = try ExampleHeader.all()
        let hangs = all.filter { $0.name.hasPrefix("hang_") }
        XCTAssertEqual(Set(hangs.map(\.name)).symmetricDifference(Self.cases.keys).sorted(), [],
                       "hang_* examples and HangExamplesTests.cases differ")
        for h in hangs {
            XCTAssertTrue(h.expect == .deadlock || h.expect == .hang, "\(h.name): expect \(h.expect.rawValue)")
            if let c = Self.cases[h.name] {
                XCTAssertEqual(h.expect.rawValue, c.kind.rawValue, "\(h.name): header and test disagree")
                XCTAssertFalse(h.objects.isEmpty, "\(h.name): no `// objects:`")
            }
        }
        for name in Array(Self.notHangs.keys) + ["timeout_stuck_worker"] {
            XCTAssertNotNil(all.first { $0.name == name }, "example \(name) is gone")
        }
    }
}
