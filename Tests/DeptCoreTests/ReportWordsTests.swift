import XCTest
@testable import DeptCore

/// Issue 14: what a report says and where it points. Keys that do not
/// change between runs, the frame outside the threading runtime, the [E]
/// of a context's own thread, the plain sentences, what blocked threads
/// hold, the suppression line, SARIF locations, separate debug files.
final class ReportWordsTests: XCTestCase {
    typealias C = Cls

    static let app = "/usr/bin/app"

    /// A C++ lock stack: std::mutex inlined from system headers, the user's
    /// function, then the std::thread and libc machinery.
    static func cxxStack(_ fn: String, _ line: Int, file: String = "/src/app/order.cpp", pc: UInt) -> [Frame] {
        [Frame(pc: pc, module: app, offset: 0x13d8, function: "__gthread_mutex_lock(pthread_mutex_t*)",
               file: "/usr/include/x86_64-linux-gnu/c++/12/bits/gthr-default.h", line: 749),
         Frame(pc: pc + 1, module: app, offset: 0x1428, function: "std::mutex::lock()", file: "/usr/include/c++/12/bits/std_mutex.h", line: 100),
         Frame(pc: pc + 2, module: app, offset: 0x1290, function: fn, file: file, line: line),
         Frame(pc: pc + 3, module: app, offset: 0x1a02,
               function: "std::thread::_State_impl<std::thread::_Invoker<std::tuple<void (*)()>>>::_M_run()",
               file: "/usr/include/c++/12/bits/std_thread.h", line: 210),
         Frame(pc: pc + 4, module: "/lib/x86_64-linux-gnu/libstdc++.so.6", offset: 0xd44a3),
         Frame(pc: pc + 5, module: "/lib/x86_64-linux-gnu/libc.so.6", offset: 0x891f5, function: "start_thread",
               file: "./nptl/pthread_create.c", line: 442)]
    }

    /// Two static locks, two threads, one symbolized stack per site.
    static func liveFixture() -> (Detector, FakeSymbolizer, [String: UInt32]) {
        var d = Detector()
        var sym = FakeSymbolizer()
        var st: [String: UInt32] = [:]
        for (i, n) in ["lockA", "lockB", "waitA", "waitB", "unlockA", "unlockB", "create2"].enumerated() {
            let pc = UInt(0x7000 + 0x100 * i)
            sym.code[pc] = Frame(pc: pc, module: app, offset: pc, function: "fn_\(n)", file: "/src/\(n).c", line: 10 + i)
            st[n] = d.internStack([pc])
        }
        d.addClass(ClassInfo(id: C.A, kind: .mutex, keyKind: .staticObject, key: 0x9000, stack: 0))
        d.addClass(ClassInfo(id: C.B, kind: .mutex, keyKind: .staticObject, key: 0x9100, stack: 0))
        sym.data = [0x9000: "lock_a", 0x9100: "lock_b"]
        d.threadStarted(ThreadInfo(tid: 1, osTid: 101))
        d.threadStarted(ThreadInfo(tid: 2, osTid: 102, parent: 1, createStack: st["create2"]!, name: "worker"))
        return (d, sym, st)
    }

    // MARK: frame choice (item 3)

    /// Rule: a report points at the first frame outside the threading
    /// runtime (libc, libstdc++, system headers, dept), not at frame #0.
    func testBestFrameSkipsTheRuntime() {
        let s = Self.cxxStack("report()", 21, pc: 0x1000)
        XCTAssertEqual(RuntimeFrames.best(s)?.function, "report()")
        XCTAssertTrue(s[0].isRuntime && s[1].isRuntime && s[3].isRuntime && s[4].isRuntime && s[5].isRuntime)
        XCTAssertFalse(s[2].isRuntime)
        // Only runtime frames: the first one.
        XCTAssertEqual(RuntimeFrames.best([s[0], s[5]])?.function, s[0].function)
        XCTAssertNil(RuntimeFrames.best([]))
        // A stripped user module is the user's code too.
        let stripped = Frame(pc: 9, module: "/opt/vendor/bin/server", offset: 0x99)
        XCTAssertEqual(RuntimeFrames.best([s[0], stripped, s[5]]), stripped)
        // Swift's and Foundation's lock wrappers, the entry point, dept itself.
        for m in ["/usr/lib/swift/linux/libswiftCore.so", "/usr/lib/swift/linux/libFoundation.so", "/opt/x/libdept.so"] {
            XCTAssertTrue(Frame(pc: 1, module: m, offset: 1).isRuntime, m)
        }
        XCTAssertTrue(Frame(pc: 1, module: Self.app, offset: 1, function: "_start").isRuntime)
    }

    /// Rule: a frame of the program's own lock wrapper (the shim found its
    /// call site taking locks of two classes) is passed over like the
    /// runtime's, but kept when nothing else is left; only the frames the
    /// detector was told of are marked.
    func testBestFrameSkipsTheProgramsLockWrapper() {
        let wrapper = Frame(pc: 0x10, module: Self.app, offset: 0x10, function: "fast_lock", file: "/src/lock.c", line: 11)
        let chain = Frame(pc: 0x20, module: Self.app, offset: 0x20, function: "sys_lock", file: "/src/lock.c", line: 12)
        let caller = Frame(pc: 0x30, module: Self.app, offset: 0x30, function: "take_ab", file: "/src/a.c", line: 44)
        var d = Detector()
        XCTAssertEqual(RuntimeFrames.best(d.markingLockWrappers([0x10: wrapper, 0x30: caller]).values.sorted { $0.pc < $1.pc }),
                       wrapper, "no wrapper known yet")
        d.lockWrapper(frames: [0x10, 0x20])
        let marked = d.markingLockWrappers([0x10: wrapper, 0x20: chain, 0x30: caller])
        XCTAssertEqual(RuntimeFrames.best([marked[0x10]!, marked[0x20]!, marked[0x30]!])?.function, "take_ab")
        XCTAssertEqual(RuntimeFrames.best([marked[0x10]!, marked[0x20]!])?.function, "fast_lock")
        XCTAssertFalse(marked[0x30]!.wrapsLock)
        // Past the wrapper, code in no module and no function (a runtime's
        // generated code) names nothing: the wrapper is the better place.
        let generated = Frame(pc: 0x7f00, module: "", offset: 0, function: nil, file: nil, line: 0)
        XCTAssertEqual(RuntimeFrames.best([marked[0x10]!, generated, marked[0x30]!])?.function, "fast_lock")
        XCTAssertEqual(d.statistics.lockWrappers, 1)
        d.lockWrapperCrowded()
        XCTAssertEqual(d.statistics.crowdedLockWrappers, 1)
    }

    /// Rule: under a source root, the first frame inside it wins (a
    /// vendored library's frame outside the checkout comes second).
    func testSourceRootIsPreferred() {
        let vendor = Frame(pc: 1, module: Self.app, offset: 1, function: "vendor_lock", file: "/opt/vendor/lock.c", line: 3)
        let mine = Frame(pc: 2, module: Self.app, offset: 2, function: "mine", file: "/work/repo/src/a.c", line: 4)
        XCTAssertEqual(RuntimeFrames.best([vendor, mine]), vendor)
        XCTAssertEqual(RuntimeFrames.best([vendor, mine], sourceRoot: "/work/repo"), mine)
        XCTAssertEqual(RuntimeFrames.best([vendor, mine], sourceRoot: "/work/repo/"), mine)
        XCTAssertEqual(RuntimeFrames.best([vendor], sourceRoot: "/work/repo"), vendor)
        XCTAssertEqual(RuntimeFrames.best([vendor, mine], sourceRoot: "/work/rep"), vendor, "a prefix of a directory name is not inside it")
    }

    /// Rule: SARIF's primary and related locations are the user's frames.
    func testSARIFLocationsAreTheUsersCode() throws {
        let t = ThreadRef(tid: 2, osTid: 0, name: nil, createdAt: [])
        let c = Context(label: "A", thread: t,
                        start: Point(operation: "pthread_mutex_lock", object: "audit_lock", stack: Self.cxxStack("report()", 20, pc: 0x100)),
                        wait: Point(operation: "pthread_mutex_lock", object: "accounts_lock", stack: Self.cxxStack("report()", 21, pc: 0x200)),
                        event: Point(operation: "pthread_mutex_unlock", object: "audit_lock", stack: Self.cxxStack("report()", 22, pc: 0x300)))
        let r = Report(kind: .potential, pid: 1, contexts: [c], key: "k", summaryFrame: RuntimeFrames.best(c.wait.stack))
        let sarif = SARIFReport.render([r])
        XCTAssertFalse(sarif.contains("gthr-default.h"), sarif)
        XCTAssertFalse(sarif.contains("std_mutex.h"), sarif)
        XCTAssertTrue(sarif.contains("{\"uri\":\"/src/app/order.cpp\"},\"region\":{\"startLine\":21}"), sarif)
        XCTAssertTrue(sarif.contains("\"startLine\":20") && sarif.contains("\"startLine\":22"), sarif)
        XCTAssertTrue(sarif.contains("\"version\":\"\(DeptInfo.version)\""), sarif)
        XCTAssertFalse(sarif.contains("example.invalid"), sarif)
        XCTAssertTrue(SARIFReport.render([r], informationURI: "file:///x/README.md").contains("\"informationUri\":\"file:///x/README.md\""))
    }

    /// Rule: the builder's SUMMARY frame and the key's wait site are the
    /// user's frame of the first context's [W].
    func testBuilderPointsAtTheUsersFrame() {
        var d = Detector()
        var sym = FakeSymbolizer()
        func stack(_ fn: String, _ line: Int, _ pc: UInt) -> UInt32 {
            let frames = Self.cxxStack(fn, line, pc: pc)
            for f in frames { sym.code[f.pc] = f }
            return d.internStack(frames.map { $0.pc })
        }
        d.wait(thread: 2, held: [held(C.A, stack: stack("transfer()", 13, 0x1000))], wait: lockWait(C.B, stack: stack("transfer()", 14, 0x2000)))
        d.wait(thread: 3, held: [held(C.B, stack: stack("report()", 20, 0x3000))], wait: lockWait(C.A, stack: stack("report()", 21, 0x4000)))
        let r = ReportBuilder(detector: d, pid: 1).build(d.takePending().reports[0], symbolizer: &sym)
        XCTAssertEqual(r.summaryFrame?.function, "report()")
        XCTAssertEqual(r.summaryFrame?.line, 21)
        XCTAssertEqual(r.suppression, "deadlock:report")
        XCTAssertTrue(TextReport.render(r).hasSuffix("SUMMARY: DEPT: potential deadlock order.cpp:21 in report\n"))
    }

    // MARK: keys (item 2)

    /// Rule: a hang's key and SUMMARY do not depend on the order the
    /// monitor found the blocked threads in (it varies between runs).
    func testHangKeyAndSummaryIgnoreThreadOrder() {
        var (d, sym, st) = Self.liveFixture()
        _ = d.takePending()
        let threads = [
            LiveThread(tid: 1, blocked: BlockedWait(cls: C.A, inst: inst(C.A), stack: st["waitA"]!, op: .join,
                                                    awaits: [.exclusive], ms: 1500)),
            LiveThread(tid: 2, blocked: BlockedWait(cls: C.C, inst: inst(C.C), stack: st["waitB"]!, op: .condWait,
                                                    awaits: [.exclusive], ms: 1500), held: [held(C.B, stack: st["lockB"]!)]),
            LiveThread(tid: 3, blocked: BlockedWait(cls: C.B, inst: inst(C.B), stack: st["lockA"]!, op: .lock, ms: 1400)),
        ]
        let b = ReportBuilder(detector: d, pid: 5)
        var keys: Set<String> = [], summaries: Set<String> = [], sentences: Set<String> = []
        for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1]] {
            let s = LiveState(threads: order.map { threads[$0] })
            guard let r = b.buildLive(.hang, state: s, hangMs: 1000, symbolizer: &sym) else { return XCTFail("no report") }
            keys.insert(r.key)
            summaries.insert(TextReport.summaryPlace(r.summaryFrame))
            sentences.insert(r.sentence)
            XCTAssertEqual(r.blocked.map { $0.thread.tid }, [1, 2, 3], "blocked threads in thread order")
        }
        XCTAssertEqual(keys.count, 1, "\(keys)")
        XCTAssertEqual(summaries, ["waitB.c:13 in fn_waitB"], "the first wait that is not a join")
        XCTAssertEqual(sentences.count, 1, "\(sentences)")
        // The key is still the blocked threads': another set differs.
        let fewer = LiveState(threads: [threads[0], threads[1]])
        XCTAssertNotEqual(b.buildLive(.hang, state: fewer, hangMs: 1000, symbolizer: &sym)?.key, keys.first)
    }

    // MARK: [E] from the context's own thread (item 4)

    /// Rule: a context's [E] is its own thread's release when that was
    /// seen; else the first one seen anywhere, and the report says whose.
    func testEventStackComesFromTheContextsThread() {
        var f = ReportBuilderTests.Fixture()
        let other = f.d.internStack([0x7777])
        f.sym.code[0x7777] = Frame(pc: 0x7777, module: ReportBuilderTests.module, offset: 0x7777, function: "t2_unlock_b",
                                   file: "/src/app/t2.c", line: 5)
        // T2 released B first (its stack is the class's first site); T3,
        // the context holding B, released it elsewhere later.
        var d = Detector()
        d = f.d
        d.eventSite(cls: C.B, op: .unlock, stack: other, thread: 2)
        d.eventSite(cls: C.B, op: .unlock, stack: f.stacks["unlockB"]!, thread: 3)
        f.d = d
        let r = f.build(f.abba())
        let ctxB = r.contexts.first { $0.start.object == "init@b.c:10" }!   // T3 holds B
        XCTAssertEqual(ctxB.thread.tid, 3)
        XCTAssertEqual(ctxB.event.stack, f.frames("unlockB"), "T3's own release of B")
        XCTAssertNil(ctxB.event.stackThread)

        // Without T3's own release: the first one, marked as T2's.
        var g = ReportBuilderTests.Fixture()
        g.d.eventSite(cls: C.B, op: .unlock, stack: g.stacks["unlockB"]!, thread: 2)
        let r2 = g.build(g.abba())
        let ctxB2 = r2.contexts.first { $0.thread.tid == 3 }!
        XCTAssertEqual(ctxB2.event.stack, g.frames("unlockB"))
        XCTAssertEqual(ctxB2.event.stackThread, "T2")
        XCTAssertTrue(TextReport.render(r2).contains("[E] pthread_mutex_unlock(init@b.c:10) (not seen in T3 yet; e.g., in T2 at):"))
    }

    /// Rule: the per-thread sites of an exited thread go with its record.
    func testThreadEventSitesForgottenWithTheThread() {
        var d = Detector()
        d.threadStarted(ThreadInfo(tid: 4))
        d.eventSite(cls: C.A, op: .unlock, stack: 3, thread: 4)
        XCTAssertEqual(d.threadEventSites[4]?[C.A], 3)
        d.eventSite(cls: C.A, op: .unlock, stack: 9, thread: 4)
        XCTAssertEqual(d.threadEventSites[4]?[C.A], 3, "the first one")
        d.threadExited(4, holding: [])
        XCTAssertNil(d.threadEventSites[4])
        XCTAssertEqual(d.eventSites[C.A]?[.unlock], 3)
    }

    // MARK: sentences

    static func clause(_ thread: String, start: DeptCore.Operation, _ s: String, wait: DeptCore.Operation, _ w: String,
                       event: DeptCore.Operation, _ e: String, sites: (String, String, String) = ("a.c:1", "a.c:2", "a.c:3"))
        -> ReportStory.Clause {
        ReportStory.Clause(thread: thread, startOp: start, startObject: s, startSite: sites.0, waitOp: wait, waitObject: w,
                           waitSite: sites.1, eventOp: event, eventObject: e, eventSite: sites.2)
    }

    /// Rule: one clause per context, a sentence per report; the second
    /// context of a two-lock inversion is said the way people say it.
    func testSentences() {
        let a = Self.clause("T3", start: .lock, "audit_lock", wait: .lock, "accounts_lock", event: .unlock, "audit_lock",
                            sites: ("order.cpp:23", "order.cpp:24", "order.cpp:25"))
        let b = Self.clause("T2", start: .lock, "accounts_lock", wait: .lock, "audit_lock", event: .unlock, "accounts_lock",
                            sites: ("order.cpp:14", "order.cpp:15", "order.cpp:16"))
        XCTAssertEqual(ReportStory.sentence([a, b]),
                       "T3 takes accounts_lock (order.cpp:24) while holding audit_lock (order.cpp:23); T2 takes them in the opposite order (order.cpp:14, 15).")
        var same = b
        same.thread = "T3"
        XCTAssertTrue(ReportStory.sentence([a, same]).contains("; T3 also takes them in the opposite order"))
        // A condvar cycle: the waiter holds the lock the signaller needs.
        let waiter = Self.clause("T1", start: .lock, "registry", wait: .condWait, "ready_cv", event: .unlock, "registry",
                                 sites: ("hang.c:15", "hang.c:18", "hang.c:20"))
        let signaller = Self.clause("T2", start: .lock, "registry", wait: .lock, "registry", event: .condSignal, "ready_cv",
                                    sites: ("hang.c:28", "hang.c:28", "hang.c:30"))
        XCTAssertEqual(ReportStory.sentence([waiter, signaller]),
                       "T1 waits for a signal of ready_cv (hang.c:18) while holding registry (hang.c:15); "
                       + "T2 takes registry (hang.c:28) before it signals ready_cv (hang.c:30).")
        XCTAssertEqual(ReportStory.clause(Self.clause("T4", start: .threadStart, "thread@m.c:3", wait: .lock, "M",
                                                      event: .threadExit, "thread@m.c:3")),
                       "T4 takes M (a.c:2) before it can exit")
        XCTAssertEqual(ReportStory.waitPhrase(.rdlock, "R"), "takes R for reading")
        XCTAssertEqual(ReportStory.waitPhrase(.semWait, "S"), "waits for a post of S")
        XCTAssertEqual(ReportStory.waitPhrase(.eventfdRead, "E"), "waits for a write to E")
        XCTAssertEqual(ReportStory.waitPhrase(.join, "thread@m.c:3"), "joins thread@m.c:3")
        // Scenario: lock cycles only.
        XCTAssertEqual(ReportStory.scenario([a, b], start: ["s0", "s1"], wait: ["w0", "w1"]).map { $0.text }, ["s0", "s1", "w0", "w1"])
        XCTAssertEqual(ReportStory.scenario([waiter, signaller], start: ["s0", "s1"], wait: ["w0", "w1"]), [])
    }

    /// Rule: a hang report says per blocked thread what it waits for and
    /// holds (joins last), and lists what each holds with its site.
    func testHangSentenceAndHolds() {
        var (d, sym, st) = Self.liveFixture()
        _ = d.takePending()
        let s = LiveState(threads: [
            LiveThread(tid: 1, blocked: BlockedWait(cls: C.C, inst: inst(C.C), stack: st["waitA"]!, op: .join, awaits: [.exclusive], ms: 1500)),
            LiveThread(tid: 2, blocked: BlockedWait(cls: C.D, inst: inst(C.D), stack: st["waitB"]!, op: .condWait,
                                                    awaits: [.exclusive], ms: 1500),
                       held: [held(C.A, stack: st["lockA"]!), threadBody(C.T, 77)]),
            LiveThread(tid: 3, blocked: HangAnalysisTests.blockedLock(C.A, stack: st["lockB"]!)),
        ])
        guard let r = ReportBuilder(detector: d, pid: 5).buildLive(.hang, state: s, hangMs: 1000, symbolizer: &sym) else {
            return XCTFail("no report")
        }
        let t2 = r.blocked.first { $0.thread.tid == 2 }!
        XCTAssertEqual(t2.holds.map { $0.text }, ["pthread_mutex_lock(lock_a)"], "locks only, not the thread body")
        XCTAssertEqual(t2.holds.first?.stack.first?.function, "fn_lockA")
        XCTAssertTrue(r.sentence.hasPrefix("T2 waits for a signal of "), r.sentence)
        XCTAssertTrue(r.sentence.contains("while holding lock_a (lockA.c:10)"), r.sentence)
        XCTAssertTrue(r.sentence.contains("T3 takes lock_a (lockB.c:11), held by T2"), r.sentence)
        XCTAssertTrue(r.sentence.contains("; T1 joins "), r.sentence)
        XCTAssertTrue(TextReport.render(r).contains("  holds lock_a (fn_lockA lockA.c:10)\n"))
    }

    // MARK: suppression line

    func testSuppressionLine() {
        XCTAssertEqual(ReportBuilder.suppression(for: Frame(pc: 1, function: "bank::Account::withdraw_to(bank::Account&, long)")),
                       "deadlock:bank::Account::withdraw_to")
        XCTAssertEqual(ReportBuilder.suppression(for: Frame(pc: 1, file: "/src/x.c", line: 3)), "deadlock:x.c")
        XCTAssertEqual(ReportBuilder.suppression(for: Frame(pc: 1, module: "/opt/lib/libv.so", offset: 4)), "deadlock:libv.so")
        XCTAssertNil(ReportBuilder.suppression(for: nil))
        // The line it prints suppresses the report it is printed in.
        var f = ReportBuilderTests.Fixture()
        let r = f.build(f.abba())
        var (s, problems) = Suppressions.parse(r.suppression!)
        XCTAssertEqual(problems, [])
        XCTAssertEqual(s.match(r), 0)
    }

    // MARK: debug files

    /// A minimal ELF64: the given sections (name, type, contents) after a
    /// section-name table.
    static func elf(_ sections: [(String, UInt32, [UInt8])]) -> [UInt8] {
        var names: [UInt8] = [0]
        var nameAt: [Int] = []
        for s in sections + [(".shstrtab", UInt32(3), [UInt8]())] { nameAt.append(names.count); names += Array(s.0.utf8) + [0] }
        var body: [UInt8] = []
        var offsets: [Int] = []
        for s in sections { offsets.append(64 + body.count); body += s.2 }
        let strOff = 64 + body.count
        body += names
        let shoff = 64 + body.count
        func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8((v >> (8 * UInt64($0))) & 0xff) } }
        var h: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        h += le(3, 2) + le(0x3e, 2) + le(1, 4) + le(0, 8) + le(0, 8) + le(UInt64(shoff), 8) + le(0, 4)
        h += le(64, 2) + le(0, 2) + le(0, 2) + le(64, 2) + le(UInt64(sections.count + 2), 2) + le(UInt64(sections.count + 1), 2)
        var table = [UInt8](repeating: 0, count: 64)   // the null section
        for (i, s) in sections.enumerated() {
            table += le(UInt64(nameAt[i]), 4) + le(UInt64(s.1), 4) + le(0, 8) + le(0, 8) + le(UInt64(offsets[i]), 8)
                + le(UInt64(s.2.count), 8) + le(0, 4) + le(0, 4) + le(1, 8) + le(0, 8)
        }
        table += le(UInt64(nameAt[sections.count]), 4) + le(3, 4) + le(0, 8) + le(0, 8) + le(UInt64(strOff), 8)
            + le(UInt64(names.count), 8) + le(0, 4) + le(0, 4) + le(1, 8) + le(0, 8)
        return h + body + table
    }

    static func sections(_ bytes: [UInt8]) -> DebugFiles.Sections? {
        DebugFiles.sections { offset, count in
            let o = Int(offset)
            guard o < bytes.count else { return [] }
            return Array(bytes[o..<min(bytes.count, o + count)])
        }
    }

    /// Rule: a module says whether it carries debug information and which
    /// debug file its .gnu_debuglink names; a stripped debug file's
    /// NOBITS .debug_info does not count.
    func testDebugSectionsAreRead() {
        let stripped = Self.elf([(".text", 1, [0x90, 0x90]), (".gnu_debuglink", 1, Array("app.debug".utf8) + [0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd])])
        XCTAssertEqual(Self.sections(stripped), DebugFiles.Sections(hasDebugInfo: false, debugLink: "app.debug"))
        let full = Self.elf([(".text", 1, [0x90]), (".debug_info", 1, [1, 2, 3])])
        XCTAssertEqual(Self.sections(full), DebugFiles.Sections(hasDebugInfo: true, debugLink: nil))
        let nobits = Self.elf([(".debug_info", 8, [])])
        XCTAssertEqual(Self.sections(nobits)?.hasDebugInfo, false)
        XCTAssertNil(Self.sections(Array("#!/bin/sh\n".utf8)))
        XCTAssertNil(Self.sections(Array(full.prefix(40))))
    }

    /// Rule: gdb's order: the build-ID path, then the debuglink name next
    /// to the module, in its .debug directory, under the debug root.
    func testDebugFileCandidates() {
        XCTAssertEqual(DebugFiles.candidates(module: "/usr/lib/x86_64-linux-gnu/libfoo.so.1", buildID: "5f426195b7", debugLink: "libfoo.so.1.debug"),
                       ["/usr/lib/debug/.build-id/5f/426195b7.debug",
                        "/usr/lib/x86_64-linux-gnu/libfoo.so.1.debug",
                        "/usr/lib/x86_64-linux-gnu/.debug/libfoo.so.1.debug",
                        "/usr/lib/debug/usr/lib/x86_64-linux-gnu/libfoo.so.1.debug"])
        XCTAssertEqual(DebugFiles.candidates(module: "/bin/app", buildID: "", debugLink: nil), [])
        XCTAssertEqual(DebugFiles.candidates(module: "/bin/app", buildID: "ab12", debugLink: "../evil", debugRoot: "/dbg"),
                       ["/dbg/.build-id/ab/12.debug"])
    }

    /// Rule: a note per module whose shown frames have no source line,
    /// from the symbolizer's advice.
    func testDebugHintNotes() {
        struct Advising: Symbolizing {
            var inner = FakeSymbolizer()
            var asked: [String] = []
            mutating func frames(for pcs: [UInt]) -> [UInt: Frame] { inner.frames(for: pcs) }
            mutating func dataNames(for addrs: [UInt]) -> [UInt: String] { inner.dataNames(for: addrs) }
            func modules() -> [Module] { [] }
            mutating func debugHint(module: String) -> String? { asked.append(module); return "get \(module)" }
        }
        var d = Detector()
        var sym = Advising()
        let lib = Frame(pc: 0x10, module: "/usr/lib/libv.so.1", offset: 0x10, function: "v_lock")
        let libc = Frame(pc: 0x20, module: "/lib/libc.so.6", offset: 0x20)
        let mine = Frame(pc: 0x30, module: Self.app, offset: 0x30, function: "main", file: "/src/m.c", line: 3)
        for f in [lib, libc, mine] { sym.inner.code[f.pc] = f }
        let s = d.internStack([0x10, 0x30, 0x20])
        d.wait(thread: 2, held: [held(C.A, stack: s)], wait: lockWait(C.B, stack: s))
        d.wait(thread: 3, held: [held(C.B, stack: s)], wait: lockWait(C.A, stack: s))
        let r = ReportBuilder(detector: d, pid: 1).build(d.takePending().reports[0], symbolizer: &sym)
        XCTAssertEqual(r.notes, ["get /usr/lib/libv.so.1"], "once, and not for libc (folded) or lines already there")
        XCTAssertEqual(sym.asked, ["/usr/lib/libv.so.1"])
        XCTAssertTrue(TextReport.render(r).contains("\nnote: get /usr/lib/libv.so.1\n"))
    }
}
