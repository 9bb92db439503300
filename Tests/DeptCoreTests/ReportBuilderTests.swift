import XCTest
@testable import DeptCore

/// ReportBuilder: from CycleEvidence to a symbolized Report, with a
/// table-driven Symbolizing implementation.
final class ReportBuilderTests: XCTestCase {
    typealias C = Cls

    static let module = "/usr/bin/app"

    static func frame(_ pc: UInt, _ fn: String, _ file: String, _ line: Int) -> Frame {
        Frame(pc: pc, module: module, offset: pc - 0x400000, function: fn, file: file, line: line)
    }

    /// A process with four classes (one of each naming scheme), two named
    /// threads and distinct stacks for every [S], [W] and [E] site.
    struct Fixture {
        var d = Detector()
        var sym = FakeSymbolizer()
        var stacks: [String: UInt32] = [:]
        var pcs: [String: [UInt]] = [:]

        static let keyA: UInt = 0x601000   // static object `lock_a`
        static let keyB: UInt = 0x402000   // pthread_mutex_init site b.c:10
        static let keyC: UInt = 0x403000   // first use c.c:20
        static let keyT: UInt = 0x404000   // pthread_create site main.c:30

        init() {
            sym.data[Self.keyA] = "lock_a"
            sym.code[Self.keyB] = ReportBuilderTests.frame(Self.keyB, "init_b", "/src/app/b.c", 10)
            sym.code[Self.keyC] = ReportBuilderTests.frame(Self.keyC, "use_c", "/src/app/c.c", 20)
            sym.code[Self.keyT] = ReportBuilderTests.frame(Self.keyT, "spawn", "/src/app/main.c", 30)
            sym.mods = [Module(path: ReportBuilderTests.module, base: 0x400000, end: 0x500000, buildID: "abcd")]
            d.addClass(ClassInfo(id: C.A, kind: .mutex, keyKind: .staticObject, key: Self.keyA, stack: 0))
            d.addClass(ClassInfo(id: C.B, kind: .mutex, keyKind: .initSite, key: Self.keyB, stack: 0))
            d.addClass(ClassInfo(id: C.C, kind: .mutex, keyKind: .firstUse, key: Self.keyC, stack: 0))
            d.addClass(ClassInfo(id: C.T, kind: .thread, keyKind: .initSite, key: Self.keyT, stack: 0))
            var base: UInt = 0x410000
            for (name, line) in [("lockA", 11), ("lockB", 12), ("lockC", 13), ("waitA", 21), ("waitB", 22),
                                 ("waitC", 23), ("unlockA", 31), ("unlockB", 32), ("unlockC", 33),
                                 ("create2", 41), ("create3", 42), ("join", 51), ("start", 61)] {
                let p = [base, base + 0x10]
                pcs[name] = p
                sym.code[p[0]] = ReportBuilderTests.frame(p[0], "fn_\(name)", "/src/app/\(name).c", line)
                sym.code[p[1]] = ReportBuilderTests.frame(p[1], "caller_\(name)", "/src/app/main.c", 100 + line)
                stacks[name] = d.internStack(p)
                base += 0x100
            }
            d.eventSite(cls: C.A, op: .unlock, stack: stacks["unlockA"]!)
            d.eventSite(cls: C.B, op: .unlock, stack: stacks["unlockB"]!)
            d.eventSite(cls: C.C, op: .unlock, stack: stacks["unlockC"]!)
            d.threadStarted(ThreadInfo(tid: 1, osTid: 1001))
            d.threadStarted(ThreadInfo(tid: 2, osTid: 1002, parent: 1, createStack: stacks["create2"]!, name: "worker-a"))
            d.threadStarted(ThreadInfo(tid: 3, osTid: 1003, parent: 1, createStack: stacks["create3"]!, name: "worker-b"))
        }

        func frames(_ name: String) -> [Frame] { pcs[name]!.map { sym.code[$0]! } }

        /// T2: lock(X) then lock(Y).
        mutating func nest(thread: UInt32, _ x: UInt32, _ xs: String, _ y: UInt32, _ ys: String) {
            d.wait(thread: thread, held: [held(x, stack: stacks[xs]!)], wait: lockWait(y, stack: stacks[ys]!))
        }

        /// AB on T2 then BA on T3 (or the other way round).
        mutating func abba(reversed: Bool = false) -> CycleEvidence {
            if reversed {
                nest(thread: 3, C.B, "lockB", C.A, "waitA")
                nest(thread: 2, C.A, "lockA", C.B, "waitB")
            } else {
                nest(thread: 2, C.A, "lockA", C.B, "waitB")
                nest(thread: 3, C.B, "lockB", C.A, "waitA")
            }
            let r = d.takePending().reports
            XCTAssertEqual(r.count, 1)
            return r[0]
        }

        mutating func build(_ e: CycleEvidence, kind: Report.Kind = .potential) -> Report {
            ReportBuilder(detector: d, pid: 4242).build(e, kind: kind, symbolizer: &sym)
        }
    }

    // MARK: class names

    /// Rule (DESIGN §4): static object -> its symbol; init site ->
    /// init@file:line; first use -> first-use@file:line; thread class ->
    /// thread@file:line; unsymbolized -> the raw address.
    func testClassNames() {
        let f = Fixture()
        let b = ReportBuilder(detector: f.d, pid: 1)
        let frames: [UInt: Frame] = f.sym.code
        let data: [UInt: String] = f.sym.data
        XCTAssertEqual(b.className(C.A, frames: frames, data: data), "lock_a")
        XCTAssertEqual(b.className(C.B, frames: frames, data: data), "init@b.c:10")
        XCTAssertEqual(b.className(C.C, frames: frames, data: data), "first-use@c.c:20")
        XCTAssertEqual(b.className(C.T, frames: frames, data: data), "thread@main.c:30")
        XCTAssertEqual(b.className(C.A, frames: [:], data: [:]), "0x601000")
        XCTAssertEqual(b.className(C.B, frames: [:], data: [:]), "init@0x402000")
        XCTAssertEqual(b.className(C.C, frames: [:], data: [:]), "first-use@0x403000")
        XCTAssertEqual(b.className(C.T, frames: [:], data: [:]), "thread@0x404000")
    }

    /// Rule: operation names per object kind (what [S]/[W]/[E] lines print).
    func testOperationNames() {
        let cases: [(DeptCore.Operation, ObjectKind, String)] = [
            (.lock, .mutex, "pthread_mutex_lock"),
            (.trylock, .mutex, "pthread_mutex_trylock"),
            (.timedlock, .mutex, "pthread_mutex_timedlock"),
            (.unlock, .mutex, "pthread_mutex_unlock"),
            (.rdlock, .rwlock, "pthread_rwlock_rdlock"),
            (.wrlock, .rwlock, "pthread_rwlock_wrlock"),
            (.lock, .rwlock, "pthread_rwlock_wrlock"),
            (.tryrdlock, .rwlock, "pthread_rwlock_tryrdlock"),
            (.trywrlock, .rwlock, "pthread_rwlock_trywrlock"),
            (.timedlock, .rwlock, "pthread_rwlock_timedlock"),
            (.unlock, .rwlock, "pthread_rwlock_unlock"),
            (.condWait, .condition, "pthread_cond_wait"),
            (.condSignal, .condition, "pthread_cond_signal"),
            (.condBroadcast, .condition, "pthread_cond_broadcast"),
            (.semWait, .semaphore, "sem_wait"),
            (.semTrywait, .semaphore, "sem_trywait"),
            (.semPost, .semaphore, "sem_post"),
            (.lock, .semaphore, "sem_wait"),
            (.unlock, .semaphore, "sem_post"),
            (.eventfdRead, .eventfd, "eventfd read"),
            (.eventfdWrite, .eventfd, "eventfd write"),
            (.join, .thread, "pthread_join"),
            (.threadStart, .thread, "thread start"),
            (.threadExit, .thread, "thread exit"),
        ]
        for (op, kind, name) in cases {
            XCTAssertEqual(ReportBuilder.operationName(op, kind: kind), name, "\(op) on \(kind)")
        }
        XCTAssertEqual(ReportBuilder.eventOperation(for: .mutex), .unlock)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .rwlock), .unlock)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .condition), .condSignal)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .semaphore), .semPost)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .eventfd), .eventfdWrite)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .thread), .threadExit)
    }

    /// Each primitive beyond the pthread basics is named as the program
    /// called it, and the event of its contexts is its own.
    func testOperationNamesBeyondPthreads() {
        let cases: [(DeptCore.Operation, ObjectKind, String)] = [
            (.lock, .spinlock, "pthread_spin_lock"), (.trylock, .spinlock, "pthread_spin_trylock"),
            (.unlock, .spinlock, "pthread_spin_unlock"), (.barrierWait, .barrier, "pthread_barrier_wait"),
            (.once, .once, "pthread_once"), (.onceInit, .once, "pthread_once init start"),
            (.onceDone, .once, "pthread_once init end"), (.once, .c11Once, "call_once"),
            (.lock, .c11Mutex, "mtx_lock"), (.trylock, .c11Mutex, "mtx_trylock"), (.timedlock, .c11Mutex, "mtx_timedlock"),
            (.unlock, .c11Mutex, "mtx_unlock"), (.condWait, .c11Condition, "cnd_wait"),
            (.condSignal, .c11Condition, "cnd_signal"), (.condBroadcast, .c11Condition, "cnd_broadcast"),
            (.join, .c11Thread, "thrd_join"), (.threadStart, .c11Thread, "thread start"),
            (.lock, .futexPI, "FUTEX_LOCK_PI"), (.trylock, .futexPI, "FUTEX_TRYLOCK_PI"), (.unlock, .futexPI, "FUTEX_UNLOCK_PI"),
            (.futexWait, .futex, "FUTEX_WAIT"), (.futexWake, .futex, "FUTEX_WAKE"),
            (.lock, .annotated, "lock"), (.annotatedWait, .annotated, "wait"), (.annotatedEvent, .annotated, "event"),
        ]
        for (op, kind, name) in cases {
            XCTAssertEqual(ReportBuilder.operationName(op, kind: kind), name, "\(op) on \(kind)")
        }
        XCTAssertEqual(ReportBuilder.eventOperation(for: .spinlock), .unlock)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .c11Mutex), .unlock)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .futexPI), .unlock)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .barrier), .barrierWait)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .once), .onceDone)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .c11Thread), .threadExit)
        XCTAssertEqual(ReportBuilder.eventOperation(for: .futex), .futexWake)
    }

    func testLabels() {
        let b = ReportBuilder(detector: Detector(), pid: 1)
        XCTAssertEqual(b.label(0), "A")
        XCTAssertEqual(b.label(1), "B")
        XCTAssertEqual(b.label(25), "Z")
        XCTAssertNotEqual(b.label(26), b.label(0))
    }

    // MARK: [S]/[W]/[E]

    /// Rule: context i is link i of the cycle: [S] = acquisition of the held
    /// class (its stack), [W] = the wait (its stack, on the next class),
    /// [E] = the event of the held class (its first event-site stack).
    func testContextsCarryStartWaitEventInCycleOrder() {
        var f = Fixture()
        let e = f.abba()
        let r = f.build(e)
        XCTAssertEqual(r.kind, .potential)
        XCTAssertEqual(r.pid, 4242)
        XCTAssertEqual(r.contexts.count, 2)
        guard r.contexts.count == 2 else { return }
        // The closing wait (T3: holds B, waits A) is context A.
        let a = r.contexts[0], b = r.contexts[1]
        XCTAssertEqual(a.label, "A")
        XCTAssertEqual(b.label, "B")

        XCTAssertEqual(a.thread.tid, 3)
        XCTAssertEqual(a.thread.osTid, 1003)
        XCTAssertEqual(a.thread.name, "worker-b")
        XCTAssertEqual(a.thread.createdAt, f.frames("create3"))
        XCTAssertEqual(a.start.operation, "pthread_mutex_lock")
        XCTAssertEqual(a.start.object, "init@b.c:10")
        XCTAssertEqual(a.start.instance, inst(C.B))
        XCTAssertEqual(a.start.stack, f.frames("lockB"))
        XCTAssertEqual(a.wait.operation, "pthread_mutex_lock")
        XCTAssertEqual(a.wait.object, "lock_a")
        XCTAssertEqual(a.wait.instance, inst(C.A))
        XCTAssertEqual(a.wait.stack, f.frames("waitA"))
        XCTAssertEqual(a.event.operation, "pthread_mutex_unlock")
        XCTAssertEqual(a.event.object, "init@b.c:10")
        XCTAssertEqual(a.event.stack, f.frames("unlockB"))

        XCTAssertEqual(b.thread.tid, 2)
        XCTAssertEqual(b.thread.name, "worker-a")
        XCTAssertEqual(b.start.text, "pthread_mutex_lock(lock_a)")
        XCTAssertEqual(b.start.stack, f.frames("lockA"))
        XCTAssertEqual(b.wait.text, "pthread_mutex_lock(init@b.c:10)")
        XCTAssertEqual(b.wait.stack, f.frames("waitB"))
        XCTAssertEqual(b.event.text, "pthread_mutex_unlock(lock_a)")
        XCTAssertEqual(b.event.stack, f.frames("unlockA"))

        // Each context waits for what the next one holds.
        for i in r.contexts.indices {
            XCTAssertEqual(r.contexts[i].wait.object, r.contexts[(i + 1) % r.contexts.count].start.object)
        }
    }

    /// Rule: summaryFrame is the top frame of the first context's [W];
    /// modules come from the symbolizer; one symbolizer batch per report.
    /// A lock-order cycle whose other thread had exited when it closed says
    /// so (abba: the first thread is joined before the second starts); one
    /// whose threads both still run does not.
    func testNoteOnAThreadThatExitedBeforeTheCycleClosed() {
        var f = Fixture()
        f.nest(thread: 2, C.A, "lockA", C.B, "waitB")
        f.d.threadExited(2, holding: [])
        f.nest(thread: 3, C.B, "lockB", C.A, "waitA")
        let reports = f.d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        guard let e = reports.first else { return }
        XCTAssertEqual(e.exitedThreads, [2])
        let r = f.build(e)
        XCTAssertEqual(r.notes, ["T2 had exited when this cycle closed: in this run the orders did not overlap; "
                                 + "threads that take the locks in these orders at the same time can deadlock"])
        XCTAssertTrue(TextReport.render(r).contains("\nnote: T2 had exited when this cycle closed: "))

        var live = Fixture()
        let both = live.abba()
        XCTAssertEqual(both.exitedThreads, [])
        XCTAssertEqual(live.build(both).notes, [])
    }

    func testExitedNoteWords() {
        // Of three threads, two gone: the run's orders did not overlap.
        XCTAssertEqual(ReportBuilder.exitedNote([2, 3], threads: [4, 2, 3], lockOrder: true),
                       "T2 and T3 had exited when this cycle closed: in this run the orders did not overlap; "
                       + "threads that take the locks in these orders at the same time can deadlock")
        // One of three gone: only the fact.
        XCTAssertEqual(ReportBuilder.exitedNote([2], threads: [4, 2, 3], lockOrder: true), "T2 had exited when this cycle closed")
        // Not for one thread's own inversion, a cycle through events, or
        // a cycle all of whose threads had gone (found after the fact).
        XCTAssertNil(ReportBuilder.exitedNote([1], threads: [1, 1], lockOrder: true))
        XCTAssertNil(ReportBuilder.exitedNote([2], threads: [3, 2], lockOrder: false))
        XCTAssertNil(ReportBuilder.exitedNote([2, 3], threads: [3, 2], lockOrder: true))
        XCTAssertNil(ReportBuilder.exitedNote([], threads: [3, 2], lockOrder: true))
    }

    func testSummaryFrameModulesAndOneBatch() {
        var f = Fixture()
        let e = f.abba()
        let r = f.build(e)
        XCTAssertEqual(r.summaryFrame, f.frames("waitA").first)
        XCTAssertEqual(r.summaryFrame, r.contexts.first?.wait.stack.first)
        XCTAssertEqual(r.modules.map(\.path), [ReportBuilderTests.module])
        XCTAssertEqual(f.sym.frameCalls, 1)
        XCTAssertEqual(f.sym.dataCalls, 1)
    }

    /// Rule: addresses the symbolizer does not know stay raw frames; a class
    /// without event site gets an empty [E] stack.
    func testUnsymbolizedFramesAndMissingEventSite() {
        var d = Detector()
        let s1 = d.internStack([0xdead0])
        let s2 = d.internStack([0xbeef0])
        d.wait(thread: 2, held: [held(C.A, stack: s1)], wait: lockWait(C.B, stack: s2))
        d.wait(thread: 3, held: [held(C.B, stack: s2)], wait: lockWait(C.A, stack: s1))
        let e = d.takePending().reports[0]
        var sym = FakeSymbolizer()
        let r = ReportBuilder(detector: d, pid: 1).build(e, symbolizer: &sym)
        XCTAssertEqual(r.contexts.count, 2)
        XCTAssertEqual(r.contexts[0].start.stack, [Frame(pc: 0xbeef0)])
        XCTAssertEqual(r.contexts[0].event.stack, [])
        XCTAssertNil(r.summaryFrame?.function)
        XCTAssertEqual(r.summaryFrame?.pc, 0xdead0)
        // Unknown classes are first-use mutexes at address 0.
        XCTAssertEqual(r.contexts[0].start.object, "first-use@0x0")
    }

    /// Rule: thread classes in a join cycle: the thread body's [S] is its
    /// start, its [E] its exit; the join is the [W] on the thread class.
    func testJoinCycleNamesThreadClassAndOperations() {
        var f = Fixture()
        let t2 = UInt32(4002)
        f.d.wait(thread: 1, held: [held(C.A, stack: f.stacks["lockA"]!)],
                 wait: joinWait(C.T, t2, stack: f.stacks["join"]!))
        f.d.wait(thread: 2, held: [threadBody(C.T, t2, stack: f.stacks["start"]!)],
                 wait: lockWait(C.A, stack: f.stacks["waitA"]!))
        let reports = f.d.takePending().reports
        XCTAssertEqual(reports.count, 1)
        guard let e = reports.first else { return }
        let r = f.build(e)
        XCTAssertEqual(r.contexts.count, 2)
        guard r.contexts.count == 2 else { return }
        let body = r.contexts[0], main = r.contexts[1]
        XCTAssertEqual(body.start.text, "thread start(thread@main.c:30)")
        XCTAssertEqual(body.start.stack, f.frames("start"))
        XCTAssertEqual(body.wait.text, "pthread_mutex_lock(lock_a)")
        XCTAssertEqual(body.event.text, "thread exit(thread@main.c:30)")
        XCTAssertEqual(main.thread.title, "T1 (main thread) tid 1001")
        XCTAssertEqual(main.start.text, "pthread_mutex_lock(lock_a)")
        XCTAssertEqual(main.wait.text, "pthread_join(thread@main.c:30)")
        XCTAssertEqual(main.wait.stack, f.frames("join"))
        XCTAssertEqual(main.event.text, "pthread_mutex_unlock(lock_a)")
    }

    // MARK: key

    /// Rule: the key is rotation invariant (the same cycle discovered from a
    /// different starting edge has the same key) and differs for a
    /// different cycle.
    func testKeyIsRotationInvariantAndDistinguishesCycles() {
        var f1 = Fixture()
        let r1 = f1.build(f1.abba())
        var f2 = Fixture()
        let r2 = f2.build(f2.abba(reversed: true))
        // Really discovered from the other edge.
        XCTAssertNotEqual(r1.contexts[0].start.object, r2.contexts[0].start.object)
        XCTAssertEqual(r1.key, r2.key)
        XCTAssertEqual(r1.key.count, 16)
        XCTAssertTrue(r1.key.allSatisfy { $0.isHexDigit })

        var f3 = Fixture()
        f3.nest(thread: 2, C.A, "lockA", C.C, "waitC")
        f3.nest(thread: 3, C.C, "lockC", C.A, "waitA")
        let e3 = f3.d.takePending().reports
        XCTAssertEqual(e3.count, 1)
        let r3 = f3.build(e3[0])
        XCTAssertNotEqual(r3.key, r1.key)
    }

    /// Rule: same for a 3-cycle: every rotation of the contexts gives one
    /// key; the reversed cycle (another cycle) a different one.
    func testStaticKeyOverRotations() {
        func ctx(_ s: String, _ w: String) -> Context {
            Context(label: "", thread: ThreadRef(tid: 1, osTid: 0, name: nil, createdAt: []),
                    start: Point(operation: "lock", object: s, stack: []),
                    wait: Point(operation: "lock", object: w, stack: []),
                    event: Point(operation: "unlock", object: s, stack: []))
        }
        let abc = [ctx("a", "b"), ctx("b", "c"), ctx("c", "a")]
        let k = ReportBuilder.key(abc)
        XCTAssertEqual(ReportBuilder.key([abc[1], abc[2], abc[0]]), k)
        XCTAssertEqual(ReportBuilder.key([abc[2], abc[0], abc[1]]), k)
        XCTAssertNotEqual(ReportBuilder.key([ctx("a", "c"), ctx("c", "b"), ctx("b", "a")]), k)
        XCTAssertEqual(ReportBuilder.key([]), "0000000000000000")
    }
}
