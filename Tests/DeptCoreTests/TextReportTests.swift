import XCTest
@testable import DeptCore

/// The text rendering (DESIGN §5, issue 14): headline, one plain sentence,
/// each context's [S]/[W]/[E] once with the stacks of the user's code,
/// blocked threads with what they hold, a suppression line, key, SUMMARY.
final class TextReportTests: XCTestCase {

    static let mainFrame = Frame(pc: 0x401234, module: "/usr/bin/app", offset: 0x1234,
                                 function: "main", file: "/src/app/main.c", line: 12)
    static let lockFrame = Frame(pc: 0x401800, module: "/usr/bin/app", offset: 0x1800,
                                 function: "worker", file: "/src/app/worker.c", line: 40)
    /// Frames of the threading runtime around the user's: std::mutex inlined
    /// from a system header, then the thread start machinery of libc.
    static let gthread = Frame(pc: 0x401010, module: "/usr/bin/app", offset: 0x1010, function: "__gthread_mutex_lock(pthread_mutex_t*)",
                               file: "/usr/include/x86_64-linux-gnu/c++/12/bits/gthr-default.h", line: 749)
    static let stdLock = Frame(pc: 0x401020, module: "/usr/bin/app", offset: 0x1020, function: "std::mutex::lock()",
                               file: "/usr/include/c++/12/bits/std_mutex.h", line: 100)
    static let startThread = Frame(pc: 0x7f0000089000, module: "/lib/x86_64-linux-gnu/libc.so.6", offset: 0x891f5,
                                   function: "start_thread", file: "./nptl/pthread_create.c", line: 442)

    static func point(_ op: String, _ obj: String, _ frames: [Frame]) -> Point {
        Point(operation: op, object: obj, instance: 1, stack: frames)
    }

    static func context(_ label: String, tid: UInt32, _ held: String, _ waited: String) -> Context {
        var c = Context(label: label,
                        thread: ThreadRef(tid: tid, osTid: Int32(1000 + tid), name: tid == 2 ? "worker" : nil,
                                          createdAt: tid == 1 ? [] : [mainFrame]),
                        start: point("pthread_mutex_lock", held, [lockFrame, mainFrame]),
                        wait: point("pthread_mutex_lock", waited, [mainFrame]),
                        event: point("pthread_mutex_unlock", held, []))
        c.sentence = "T\(tid) takes \(waited) while holding \(held)"
        return c
    }

    static func potential() -> Report {
        var r = Report(kind: .potential, pid: 4242,
                       contexts: [context("A", tid: 2, "lock_a", "lock_b"), context("B", tid: 1, "lock_b", "lock_a")],
                       key: "0123456789abcdef", summaryFrame: mainFrame)
        r.sentence = "T2 takes lock_b (main.c:12) while holding lock_a (worker.c:40); T1 takes them in the opposite order (worker.c:40, main.c:12)."
        r.suppression = "deadlock:main"
        return r
    }

    static func lines(_ s: String) -> [String] {
        s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func lastLine(_ s: String) -> String {
        lines(s).last(where: { !$0.isEmpty }) ?? ""
    }

    /// Rule: the first line of every report is exactly the §5 headline
    /// (after the `=====` rule that separates reports).
    func testHeadlinesPerKind() {
        var r = Self.potential()
        XCTAssertEqual(r.headline, "DEPT: potential deadlock: circular dependency of 2 events (pid 4242)")
        r.kind = .deadlock
        XCTAssertEqual(r.headline, "DEPT: deadlock: 2 threads wait for each other (pid 4242)")
        r.kind = .hang
        r.hangMs = 1500
        r.blocked = [
            BlockedThread(thread: ThreadRef(tid: 1, osTid: 1001, name: nil, createdAt: []),
                          waitsFor: Self.point("pthread_mutex_lock", "lock_a", [Self.mainFrame]),
                          detail: "held by T2", blockedMs: 1500),
            BlockedThread(thread: ThreadRef(tid: 2, osTid: 1002, name: "worker", createdAt: [Self.mainFrame]),
                          waitsFor: Self.point("pthread_join", "thread@main.c:3", [Self.lockFrame]),
                          detail: "waits for T1", blockedMs: 1400),
            BlockedThread(thread: ThreadRef(tid: 3, osTid: 1003, name: nil, createdAt: []),
                          waitsFor: Self.point("sem_wait", "sem", []),
                          detail: "no poster", blockedMs: 1300),
        ]
        XCTAssertEqual(r.headline, "DEPT: hang: no thread made progress for 1500 ms, 3 threads blocked (pid 4242)")

        for kind in [Report.Kind.potential, .deadlock, .hang] {
            r.kind = kind
            let text = TextReport.render(r)
            let ls = Self.lines(text)
            let headline = ls.first(where: { $0.hasPrefix("DEPT:") })
            XCTAssertEqual(headline, r.headline)
            // Only a rule line may precede it.
            XCTAssertTrue(ls.prefix(while: { !$0.hasPrefix("DEPT:") }).allSatisfy { $0.allSatisfy { $0 == "=" } })
            XCTAssertEqual(ls.filter { $0.hasPrefix("DEPT:") }.count, 1, "one headline per report")
        }
    }

    /// Rule: the sentence right under the headline; a one-line legend whose
    /// words fit a potential report; each context's [S]/[W]/[E] printed
    /// once, each followed by its stack; a suppression line, key, SUMMARY.
    func testPotentialReportLayout() {
        let text = TextReport.render(Self.potential())
        let ls = Self.lines(text)
        XCTAssertEqual(ls[2], Self.potential().sentence, "the sentence comes before any stack")
        XCTAssertTrue(ls.contains("context A: thread T2 \"worker\" tid 1002"))
        XCTAssertTrue(ls.contains("context B: thread T1 (main thread) tid 1001"))
        let legend = ls.filter { $0.hasPrefix("[S]: ") }
        XCTAssertEqual(legend.count, 1)
        XCTAssertTrue(legend.first?.contains("[W]: a wait that may block") ?? false, "\(legend)")
        XCTAssertTrue(legend.first?.contains("[E]: ") ?? false)
        XCTAssertFalse(text.contains("the wait blocked"), "a potential report's wait did not block")
        // Once each: no summary block repeated in a detail section.
        for line in ["[S] pthread_mutex_lock(lock_a):", "[W] pthread_mutex_lock(lock_b):", "[E] pthread_mutex_unlock(lock_a):",
                     "[S] pthread_mutex_lock(lock_b):", "[W] pthread_mutex_lock(lock_a):", "[E] pthread_mutex_unlock(lock_b):"] {
            XCTAssertEqual(ls.filter { $0 == line }.count, 1, "\(line)\n\(text)")
        }
        XCTAssertFalse(text.contains("detail"), text)
        // In context order, [S] < [W] < [E], each with its stack below it.
        let s = ls.firstIndex(of: "[S] pthread_mutex_lock(lock_a):")!
        let w = ls.firstIndex(of: "[W] pthread_mutex_lock(lock_b):")!
        let e = ls.firstIndex(of: "[E] pthread_mutex_unlock(lock_a):")!
        let sb = ls.firstIndex(of: "[S] pthread_mutex_lock(lock_b):")!
        XCTAssertLessThan(s, w)
        XCTAssertLessThan(w, e)
        XCTAssertLessThan(e, sb)
        XCTAssertEqual(ls[s + 1], "    #0 worker /src/app/worker.c:40 (app+0x1800)")
        XCTAssertEqual(ls[e + 1], "    (not seen yet: no thread has done it)")
        // Creation stack of a non-main thread only.
        XCTAssertEqual(ls.filter { $0 == "created at:" }.count, 1)
        // The last lines.
        let n = ls.count - 1   // the text ends with "\n"
        XCTAssertEqual(ls[n - 3], "to suppress: deadlock:main")
        XCTAssertEqual(ls[n - 2], "key: 0123456789abcdef")
        XCTAssertEqual(ls[n - 1], "SUMMARY: DEPT: potential deadlock main.c:12 in main")
        XCTAssertTrue(text.hasSuffix("\n"))
    }

    /// Rule: frame lines are `#i function file:line (module+0xoff)`, `i`
    /// the frame's index in the whole stack.
    func testFrameLines() {
        XCTAssertEqual(TextReport.frame(Self.mainFrame, 0), "    #0 main /src/app/main.c:12 (app+0x1234)")
        XCTAssertEqual(TextReport.frame(Self.startThread, 3),
                       "    #3 start_thread ./nptl/pthread_create.c:442 (libc.so.6+0x891f5)")
        // Unsymbolized.
        XCTAssertEqual(TextReport.frame(Frame(pc: 0xabc, module: "/lib/x.so", offset: 0xabc), 2), "    #2 ?? (x.so+0xabc)")
        XCTAssertEqual(TextReport.frame(Frame(pc: 0x10), 3), "    #3 ??")
    }

    /// Rule (issue 14): frames of the threading runtime are folded in text
    /// (the numbers keep their place in the JSON's full stack); a stack of
    /// runtime frames only is shown whole.
    func testRuntimeFramesAreFolded() {
        var r = Self.potential()
        r.contexts[0].wait.stack = [Self.gthread, Self.stdLock, Self.lockFrame, Self.startThread]
        r.contexts[1].wait.stack = [Self.gthread, Self.startThread]
        let ls = Self.lines(TextReport.render(r))
        let w = ls.firstIndex(of: "[W] pthread_mutex_lock(lock_b):")!
        XCTAssertEqual(ls[w + 1], "    #2 worker /src/app/worker.c:40 (app+0x1800)")
        XCTAssertTrue(ls[w + 2].hasPrefix("[E]"), ls[w + 2])
        let w2 = ls.firstIndex(of: "[W] pthread_mutex_lock(lock_a):")!
        XCTAssertTrue(ls[w2 + 1].hasPrefix("    #0 __gthread_mutex_lock"), ls[w2 + 1])
        XCTAssertTrue(ls[w2 + 2].hasPrefix("    #1 start_thread"), ls[w2 + 2])
    }

    /// Rule (issue 14 item 4): an [E] stack seen in another thread than
    /// the context's says so on its line.
    func testEventStackFromAnotherThreadSaysSo() {
        var r = Self.potential()
        r.contexts[0].event.stack = [Self.lockFrame]
        r.contexts[0].event.stackThread = "T1"
        let ls = Self.lines(TextReport.render(r))
        XCTAssertTrue(ls.contains("[E] pthread_mutex_unlock(lock_a) (not seen in T2 yet; e.g., in T1 at):"), ls.joined(separator: "\n"))
        XCTAssertTrue(ls.contains("[E] pthread_mutex_unlock(lock_b):"))
    }

    /// Rule: lockdep's scenario, one column per context.
    func testScenarioColumns() {
        var r = Self.potential()
        r.scenario = [ScenarioStep(column: 0, text: "lock(a)"), ScenarioStep(column: 1, text: "lock(b)"),
                      ScenarioStep(column: 0, text: "lock(b)"), ScenarioStep(column: 1, text: "lock(a)")]
        let ls = Self.lines(TextReport.render(r))
        let head = ls.firstIndex(where: { $0.hasPrefix("scenario") })!
        XCTAssertEqual(ls[head + 1], "    T2 \"worker\"    T1")
        XCTAssertEqual(ls[head + 3], "    lock(a)")
        XCTAssertEqual(ls[head + 4], "                   lock(b)")
        XCTAssertEqual(ls[head + 5], "    lock(b)")
        XCTAssertEqual(ls[head + 6], "                   lock(a)")
        XCTAssertTrue(ls[head + 7].contains("***"))
    }

    /// Rule: SUMMARY names the kind and the function without its parameters.
    func testSummaryLinePerKind() {
        var r = Self.potential()
        r.kind = .deadlock
        XCTAssertEqual(Self.lastLine(TextReport.render(r)), "SUMMARY: DEPT: deadlock main.c:12 in main")
        r.kind = .hang
        r.summaryFrame = Frame(pc: 1, module: "/usr/bin/app", offset: 1, function: "bank::Account::withdraw(long)",
                               file: "/src/bank.cpp", line: 9)
        XCTAssertEqual(Self.lastLine(TextReport.render(r)), "SUMMARY: DEPT: hang bank.cpp:9 in bank::Account::withdraw")
        // Without file:line, the module+offset stands in.
        r.summaryFrame = Frame(pc: 0x1, module: "/usr/lib/libx.so", offset: 0x1f)
        XCTAssertEqual(Self.lastLine(TextReport.render(r)), "SUMMARY: DEPT: hang libx.so+0x1f in ??")
    }

    /// Rule: live reports list every blocked thread with its stack, what it
    /// holds (with the acquisition site) and where it was created.
    func testBlockedThreadsSection() {
        var r = Report(kind: .hang, pid: 7, contexts: [], key: "k", summaryFrame: Self.mainFrame)
        r.hangMs = 2000
        var worker = BlockedThread(thread: ThreadRef(tid: 2, osTid: 8, name: "worker", createdAt: [Self.mainFrame]),
                                   waitsFor: Self.point("sem_wait", "init@q.c:9", [Self.lockFrame, Self.startThread]),
                                   detail: "nobody posts it", blockedMs: 2050)
        worker.holds = [Self.point("pthread_mutex_lock", "registry", [Self.stdLock, Self.lockFrame]),
                        Self.point("pthread_mutex_lock", "cache", [])]
        r.blocked = [
            BlockedThread(thread: ThreadRef(tid: 1, osTid: 7, name: nil, createdAt: []),
                          waitsFor: Self.point("pthread_join", "thread@main.c:3", [Self.mainFrame]),
                          detail: "T2 has not exited", blockedMs: 2100),
            worker,
        ]
        let text = TextReport.render(r)
        let ls = Self.lines(text)
        XCTAssertEqual(ls.first(where: { $0.hasPrefix("DEPT:") }),
                       "DEPT: hang: no thread made progress for 2000 ms, 2 threads blocked (pid 7)")
        XCTAssertTrue(ls.contains("thread T1 (main thread) tid 7 blocked for 2100 ms in pthread_join(thread@main.c:3): T2 has not exited"))
        let w = ls.firstIndex(of: "thread T2 \"worker\" tid 8 blocked for 2050 ms in sem_wait(init@q.c:9): nobody posts it")!
        XCTAssertEqual(ls[w + 1], "    #0 worker /src/app/worker.c:40 (app+0x1800)")
        XCTAssertEqual(ls[w + 2], "  holds registry (worker worker.c:40), cache")
        XCTAssertEqual(ls[w + 3], "  created at:")
        XCTAssertEqual(Self.lastLine(text), "SUMMARY: DEPT: hang main.c:12 in main")
    }

    /// Rule: in a deadlock report, a blocked thread that is a context of the
    /// cycle does not repeat the stacks the context shows.
    func testDeadlockBlockedThreadsPointAtTheirContext() {
        var r = Self.potential()
        r.kind = .deadlock
        var t2 = BlockedThread(thread: r.contexts[0].thread, waitsFor: r.contexts[0].wait, detail: "held by T1", blockedMs: 1200)
        t2.holds = [r.contexts[0].start]
        let main = BlockedThread(thread: ThreadRef(tid: 5, osTid: 9, name: nil, createdAt: []),
                                 waitsFor: Self.point("pthread_join", "thread@main.c:3", [Self.mainFrame]),
                                 detail: "joins T2", blockedMs: 1300)
        r.blocked = [t2, main]
        let ls = Self.lines(TextReport.render(r))
        let b = ls.firstIndex { $0.hasPrefix("thread T2 \"worker\" tid 1002 blocked for 1200 ms") }!
        XCTAssertEqual(ls[b + 1], "    (its stacks: context A above)")
        XCTAssertEqual(ls[b + 2], "  holds lock_a")
        let m = ls.firstIndex { $0.hasPrefix("thread T5 tid 9 blocked") }!
        XCTAssertEqual(ls[m + 1], "    #0 main /src/app/main.c:12 (app+0x1234)")
    }

    /// Rule: strip_path_prefix shortens source paths; colour only when asked.
    func testStyle() {
        let plain = TextReport.render(Self.potential())
        XCTAssertFalse(plain.contains("\u{1B}["))
        let stripped = TextReport.render(Self.potential(), style: TextReport.Style(stripPathPrefix: "/src/"))
        XCTAssertTrue(stripped.contains("    #0 worker app/worker.c:40 (app+0x1800)"), stripped)
        XCTAssertFalse(stripped.contains("/src/app/"))
        let colored = TextReport.render(Self.potential(), style: TextReport.Style(color: true))
        XCTAssertTrue(colored.contains("\u{1B}[1;31mDEPT: potential deadlock"), colored)
        // The last line stays plain for log scanners.
        XCTAssertEqual(Self.lastLine(colored), "SUMMARY: DEPT: potential deadlock main.c:12 in main")
    }

    /// Rule (DESIGN §5): any other diagnostic starts with `DEPT: warning:`.
    func testWarningPrefix() {
        let w = TextReport.warning("thread T2 exited while holding 1 lock(s): lock_a", stack: [Self.mainFrame])
        XCTAssertTrue(w.hasPrefix("DEPT: warning: thread T2 exited"))
        XCTAssertTrue(w.contains("    #0 main /src/app/main.c:12 (app+0x1234)"))
        XCTAssertEqual(TextReport.warning("x"), "DEPT: warning: x\n")
    }

    /// A report built end to end renders with the builder's names and words.
    func testBuiltReportRenders() {
        var f = ReportBuilderTests.Fixture()
        let r = f.build(f.abba())
        let text = TextReport.render(r)
        XCTAssertTrue(text.contains("DEPT: potential deadlock: circular dependency of 2 events (pid 4242)\n"))
        XCTAssertTrue(text.contains("\nT3 takes lock_a (waitA.c:21) while holding init@b.c:10 (lockB.c:12); T2 takes them in the opposite order (lockA.c:11, waitB.c:22).\n"), text)
        XCTAssertTrue(text.contains("[S] pthread_mutex_lock(init@b.c:10):\n"))
        XCTAssertTrue(text.contains("[W] pthread_mutex_lock(lock_a):\n"))
        XCTAssertTrue(text.contains("to suppress: deadlock:fn_waitA\n"))
        XCTAssertTrue(text.contains("key: \(r.key)\n"))
        XCTAssertEqual(Self.lastLine(text), "SUMMARY: DEPT: potential deadlock waitA.c:21 in fn_waitA")
    }
}
