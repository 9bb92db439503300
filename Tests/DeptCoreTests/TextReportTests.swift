import XCTest
@testable import DeptCore

/// The text rendering (DESIGN §5).
final class TextReportTests: XCTestCase {

    static let mainFrame = Frame(pc: 0x401234, module: "/usr/bin/app", offset: 0x1234,
                                 function: "main", file: "/src/app/main.c", line: 12)
    static let lockFrame = Frame(pc: 0x7f0000001000, module: "/lib/libc.so.6", offset: 0x9a0,
                                 function: "worker", file: "/src/app/worker.c", line: 40)

    static func point(_ op: String, _ obj: String, _ frames: [Frame]) -> Point {
        Point(operation: op, object: obj, instance: 1, stack: frames)
    }

    static func context(_ label: String, tid: UInt32, _ held: String, _ waited: String) -> Context {
        Context(label: label,
                thread: ThreadRef(tid: tid, osTid: Int32(1000 + tid), name: tid == 2 ? "worker" : nil,
                                  createdAt: tid == 1 ? [] : [mainFrame]),
                start: point("pthread_mutex_lock", held, [lockFrame, mainFrame]),
                wait: point("pthread_mutex_lock", waited, [mainFrame]),
                event: point("pthread_mutex_unlock", held, []))
    }

    static func potential() -> Report {
        Report(kind: .potential, pid: 4242,
               contexts: [context("A", tid: 2, "lock_a", "lock_b"), context("B", tid: 1, "lock_b", "lock_a")],
               key: "0123456789abcdef", summaryFrame: mainFrame)
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

    /// Rule: summary block per context with [S]/[W]/[E] lines, then the
    /// kernel-DEPT legend, details with stacks, `key:` and SUMMARY last.
    func testPotentialReportLayout() {
        let text = TextReport.render(Self.potential())
        let ls = Self.lines(text)
        XCTAssertTrue(ls.contains("context A: thread T2 \"worker\" tid 1002"))
        XCTAssertTrue(ls.contains("context B: thread T1 (main thread) tid 1001"))
        XCTAssertTrue(ls.contains("    [S] pthread_mutex_lock(lock_a)"))
        XCTAssertTrue(ls.contains("    [W] pthread_mutex_lock(lock_b)"))
        XCTAssertTrue(ls.contains("    [E] pthread_mutex_unlock(lock_a)"))
        // Legend.
        XCTAssertTrue(ls.contains("[S]: start of the event context"))
        XCTAssertTrue(ls.contains("[W]: the wait blocked"))
        XCTAssertTrue(ls.contains("[E]: the event not reachable"))
        // The summary of A comes before that of B, and [S] < [W] < [E].
        let s = ls.firstIndex(of: "    [S] pthread_mutex_lock(lock_a)")!
        let w = ls.firstIndex(of: "    [W] pthread_mutex_lock(lock_b)")!
        let e = ls.firstIndex(of: "    [E] pthread_mutex_unlock(lock_a)")!
        let sb = ls.firstIndex(of: "    [S] pthread_mutex_lock(lock_b)")!
        XCTAssertLessThan(s, w)
        XCTAssertLessThan(w, e)
        XCTAssertLessThan(e, sb)
        // Details per context with symbolized stacks.
        XCTAssertTrue(ls.contains("context A's detail"))
        XCTAssertTrue(ls.contains("context B's detail"))
        XCTAssertTrue(ls.contains("[S] pthread_mutex_lock(lock_a):"))
        XCTAssertTrue(ls.contains("[W] pthread_mutex_lock(lock_b):"))
        XCTAssertTrue(ls.contains("[E] pthread_mutex_unlock(lock_a):"))
        XCTAssertTrue(ls.contains("    (no stack recorded)"))
        // Creation stack of a non-main thread.
        XCTAssertTrue(ls.contains("thread T2 \"worker\" tid 1002 created at:"))
        XCTAssertFalse(text.contains("thread T1 (main thread) tid 1001 created at:"))
        // key and SUMMARY.
        XCTAssertTrue(ls.contains("key: 0123456789abcdef"))
        XCTAssertEqual(Self.lastLine(text), "SUMMARY: DEPT: potential deadlock main.c:12 in main")
        XCTAssertTrue(text.hasSuffix("\n"))
    }

    /// Rule: frame lines are `#i 0x<pc> function file:line (module+0xoff)`.
    func testFrameLines() {
        XCTAssertEqual(TextReport.frame(Self.mainFrame, 0),
                       "    #0 0x000000401234 main /src/app/main.c:12 (app+0x1234)")
        XCTAssertEqual(TextReport.frame(Self.lockFrame, 1),
                       "    #1 0x7f0000001000 worker /src/app/worker.c:40 (libc.so.6+0x9a0)")
        // Unsymbolized.
        XCTAssertEqual(TextReport.frame(Frame(pc: 0xabc, module: "/lib/x.so", offset: 0xabc), 2),
                       "    #2 0x000000000abc ?? (x.so+0xabc)")
        XCTAssertEqual(TextReport.frame(Frame(pc: 0x10), 3), "    #3 0x000000000010 ??")

        let text = TextReport.render(Self.potential())
        let frameLines = Self.lines(text).filter { $0.hasPrefix("    #") }
        XCTAssertFalse(frameLines.isEmpty)
        for l in frameLines {
            let t = l.drop(while: { $0 == " " })
            XCTAssertTrue(t.hasPrefix("#"), l)
            let fields = t.split(separator: " ")
            XCTAssertGreaterThanOrEqual(fields.count, 3, l)
            XCTAssertTrue(fields[1].hasPrefix("0x"), l)
        }
        XCTAssertTrue(frameLines.contains("    #0 0x000000401234 main /src/app/main.c:12 (app+0x1234)"))
        XCTAssertTrue(frameLines.contains("    #0 0x7f0000001000 worker /src/app/worker.c:40 (libc.so.6+0x9a0)"))
        XCTAssertTrue(frameLines.contains("    #1 0x000000401234 main /src/app/main.c:12 (app+0x1234)"))
    }

    /// Rule: SUMMARY names the kind; deadlock and hang reports too.
    func testSummaryLinePerKind() {
        var r = Self.potential()
        r.kind = .deadlock
        XCTAssertEqual(Self.lastLine(TextReport.render(r)), "SUMMARY: DEPT: deadlock main.c:12 in main")
        r.kind = .hang
        r.summaryFrame = Self.lockFrame
        XCTAssertEqual(Self.lastLine(TextReport.render(r)), "SUMMARY: DEPT: hang worker.c:40 in worker")
        // Without file:line, the module+offset stands in.
        r.summaryFrame = Frame(pc: 0x1, module: "/usr/lib/libx.so", offset: 0x1f)
        XCTAssertEqual(Self.lastLine(TextReport.render(r)), "SUMMARY: DEPT: hang libx.so+0x1f in ??")
    }

    /// Rule: live reports list every blocked thread with stack and detail.
    func testBlockedThreadsSection() {
        var r = Report(kind: .hang, pid: 7, contexts: [], key: "k", summaryFrame: Self.mainFrame)
        r.hangMs = 2000
        r.blocked = [
            BlockedThread(thread: ThreadRef(tid: 1, osTid: 7, name: nil, createdAt: []),
                          waitsFor: Self.point("pthread_join", "thread@main.c:3", [Self.mainFrame]),
                          detail: "T2 has not exited", blockedMs: 2100),
            BlockedThread(thread: ThreadRef(tid: 2, osTid: 8, name: "worker", createdAt: [Self.mainFrame]),
                          waitsFor: Self.point("sem_wait", "init@q.c:9", [Self.lockFrame]),
                          detail: "nobody posts it", blockedMs: 2050),
        ]
        let text = TextReport.render(r)
        let ls = Self.lines(text)
        XCTAssertEqual(ls.first(where: { $0.hasPrefix("DEPT:") }),
                       "DEPT: hang: no thread made progress for 2000 ms, 2 threads blocked (pid 7)")
        XCTAssertTrue(ls.contains("thread T1 (main thread) tid 7 blocked for 2100 ms in pthread_join(thread@main.c:3): T2 has not exited"))
        XCTAssertTrue(ls.contains("thread T2 \"worker\" tid 8 blocked for 2050 ms in sem_wait(init@q.c:9): nobody posts it"))
        XCTAssertTrue(ls.contains("    #0 0x7f0000001000 worker /src/app/worker.c:40 (libc.so.6+0x9a0)"))
        XCTAssertEqual(Self.lastLine(text), "SUMMARY: DEPT: hang main.c:12 in main")
    }

    /// Rule (DESIGN §5): any other diagnostic starts with `DEPT: warning:`.
    func testWarningPrefix() {
        let w = TextReport.warning("thread T2 exited while holding 1 lock(s): lock_a", stack: [Self.mainFrame])
        XCTAssertTrue(w.hasPrefix("DEPT: warning: thread T2 exited"))
        XCTAssertTrue(w.contains("    #0 0x000000401234 main /src/app/main.c:12 (app+0x1234)"))
        XCTAssertEqual(TextReport.warning("x"), "DEPT: warning: x\n")
    }

    /// A report built end to end renders with the builder's names.
    func testBuiltReportRenders() {
        var f = ReportBuilderTests.Fixture()
        let r = f.build(f.abba())
        let text = TextReport.render(r)
        XCTAssertTrue(text.contains("DEPT: potential deadlock: circular dependency of 2 events (pid 4242)\n"))
        XCTAssertTrue(text.contains("    [S] pthread_mutex_lock(init@b.c:10)\n"))
        XCTAssertTrue(text.contains("    [W] pthread_mutex_lock(lock_a)\n"))
        XCTAssertTrue(text.contains("key: \(r.key)\n"))
        XCTAssertEqual(Self.lastLine(text), "SUMMARY: DEPT: potential deadlock waitA.c:21 in fn_waitA")
    }
}
