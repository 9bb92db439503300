import XCTest
@testable import DeptCore

/// Detector bookkeeping other than cycles: warnings, threads, classes,
/// event sites, the pending queues; and the stack depot.
final class DetectorStateTests: XCTestCase {
    typealias C = Cls

    /// Rule: identical warnings (same kind and site) are queued once
    /// (Detector.warn dedups on kind + stack, or kind + class without stack).
    func testIdenticalWarningsAreDeduplicated() {
        var d = Detector()
        let s1 = d.internStack([0x10, 0x20])
        let s2 = d.internStack([0x30])
        d.warn(Warning(kind: .unlockNotOwner, thread: 2, cls: C.A, stack: s1))
        d.warn(Warning(kind: .unlockNotOwner, thread: 3, cls: C.A, stack: s1))   // same site
        XCTAssertEqual(d.pendingWarnings.count, 1)
        d.warn(Warning(kind: .unlockNotOwner, thread: 2, cls: C.A, stack: s2))   // other site
        d.warn(Warning(kind: .unlockNotLocked, thread: 2, cls: C.A, stack: s1))  // other kind
        XCTAssertEqual(d.pendingWarnings.count, 3)
        // Without a stack, the class tells sites apart.
        d.warn(Warning(kind: .destroyLocked, thread: 2, cls: C.A, stack: 0))
        d.warn(Warning(kind: .destroyLocked, thread: 2, cls: C.A, stack: 0))
        d.warn(Warning(kind: .destroyLocked, thread: 2, cls: C.B, stack: 0))
        let w = d.takePending().warnings
        XCTAssertEqual(w.count, 5)
        XCTAssertEqual(w.map(\.kind), [.unlockNotOwner, .unlockNotOwner, .unlockNotLocked, .destroyLocked, .destroyLocked])
        // Dedup is per process, not per takePending().
        d.warn(Warning(kind: .unlockNotOwner, thread: 2, cls: C.A, stack: s1))
        XCTAssertTrue(d.takePending().warnings.isEmpty)
    }

    /// Rule: a thread that exits holding locks queues an exitHoldingLocks
    /// warning listing those locks; its thread-body context is not a lock.
    func testThreadExitHoldingLocksWarnsExcludingThreadBody() {
        var d = Detector()
        d.threadStarted(ThreadInfo(tid: 2, osTid: 1002))
        let s = d.internStack([0x1234])
        d.threadExited(2, holding: [threadBody(C.T, 4002), held(C.A, stack: s), held(C.B)])
        XCTAssertEqual(d.threads[2]?.live, false)
        let w = d.takePending().warnings
        XCTAssertEqual(w.count, 1)
        guard let first = w.first else { return }
        XCTAssertEqual(first.kind, .exitHoldingLocks)
        XCTAssertEqual(first.thread, 2)
        XCTAssertEqual(first.cls, C.A)
        XCTAssertEqual(first.stack, s)
        XCTAssertEqual(first.held.map(\.cls), [C.A, C.B])
    }

    /// Rule: exiting with only the thread body "held" is a normal exit.
    func testThreadExitWithOnlyItsBodyIsSilent() {
        var d = Detector()
        d.threadStarted(ThreadInfo(tid: 3))
        d.threadExited(3, holding: [threadBody(C.T, 4003)])
        d.threadExited(3, holding: [])
        XCTAssertTrue(d.takePending().warnings.isEmpty)
        XCTAssertNil(d.threads[3], "nothing names it: its record is dropped")
    }

    /// Rule: an exited thread's record stays only while a kept observation
    /// or a warning names it, so records do not grow with threads created
    /// over time; a report about an exited thread still has its name.
    func testExitedThreadRecordKeptOnlyWhenNamed() {
        var d = Detector()
        // 1000 short threads each making the same observation: the edge
        // keeps maxWitnessesPerEdge of them.
        for tid in UInt32(10)..<1010 {
            d.threadStarted(ThreadInfo(tid: tid, name: "worker"))
            d.wait(thread: tid, held: [held(C.A)], wait: lockWait(C.B))
            d.threadExited(tid, holding: [])
        }
        XCTAssertEqual(d.threads.count, DependencyGraph.maxWitnessesPerEdge)
        XCTAssertEqual(d.threads[10]?.name, "worker")
        XCTAssertEqual(d.threads[10]?.live, false)
        XCTAssertNil(d.threads[1009])
        // A thread that only warned keeps its record too.
        d.threadStarted(ThreadInfo(tid: 2000, name: "leaker"))
        d.threadExited(2000, holding: [held(C.A)])
        XCTAssertEqual(d.threads[2000]?.name, "leaker")
        // The report of a later cycle names the exited witness.
        d.wait(thread: 3000, held: [held(C.B)], wait: lockWait(C.A))
        let r = d.takePending().reports
        XCTAssertEqual(r.count, 1)
        XCTAssertTrue(r.first?.links.contains { d.threads[$0.witness.thread]?.name == "worker" } ?? false)
    }

    /// Rule: takePending hands over both queues and empties them.
    func testTakePendingEmptiesQueues() {
        var d = Detector()
        d.wait(thread: 2, held: [held(C.A)], wait: lockWait(C.B))
        d.wait(thread: 3, held: [held(C.B)], wait: lockWait(C.A))
        d.warn(Warning(kind: .tableFull, thread: 2, cls: 0, stack: 0))
        XCTAssertEqual(d.pendingReports.count, 1)
        XCTAssertEqual(d.pendingWarnings.count, 1)
        let p = d.takePending()
        XCTAssertEqual(p.reports.count, 1)
        XCTAssertEqual(p.warnings.count, 1)
        XCTAssertTrue(d.pendingReports.isEmpty)
        XCTAssertTrue(d.pendingWarnings.isEmpty)
        let again = d.takePending()
        XCTAssertTrue(again.reports.isEmpty)
        XCTAssertTrue(again.warnings.isEmpty)
    }

    /// Rule: a class keeps its first registration; an unknown id reads as an
    /// anonymous first-use mutex.
    func testClassesKeepFirstRegistration() {
        var d = Detector()
        d.addClass(ClassInfo(id: 7, kind: .rwlock, keyKind: .initSite, key: 0x1000, stack: 1))
        d.addClass(ClassInfo(id: 7, kind: .mutex, keyKind: .staticObject, key: 0x2000, stack: 2))
        XCTAssertEqual(d.classInfo(7).kind, .rwlock)
        XCTAssertEqual(d.classInfo(7).key, 0x1000)
        let unknown = d.classInfo(99)
        XCTAssertEqual(unknown.id, 99)
        XCTAssertEqual(unknown.kind, .mutex)
        XCTAssertEqual(unknown.keyKind, .firstUse)
    }

    /// Rule: a thread name survives a later (re-)start record without a name;
    /// forkedChild leaves only the survivor live.
    func testThreadNamesAndFork() {
        var d = Detector()
        d.threadNamed(2, "worker")
        d.threadStarted(ThreadInfo(tid: 2, osTid: 55, parent: 1, createStack: 3))
        XCTAssertEqual(d.threads[2]?.name, "worker")
        XCTAssertEqual(d.threads[2]?.osTid, 55)
        d.threadStarted(ThreadInfo(tid: 1))
        d.threadStarted(ThreadInfo(tid: 3))
        d.forkedChild(survivor: 3)
        XCTAssertEqual(d.threads[1]?.live, false)
        XCTAssertEqual(d.threads[2]?.live, false)
        XCTAssertEqual(d.threads[3]?.live, true)
    }

    /// Rule: the first stack seen per (class, operation) is the event site.
    func testEventSiteKeepsFirstStack() {
        var d = Detector()
        d.eventSite(cls: C.A, op: .unlock, stack: 5)
        d.eventSite(cls: C.A, op: .unlock, stack: 6)
        d.eventSite(cls: C.A, op: .condSignal, stack: 7)
        XCTAssertEqual(d.eventSites[C.A]?[.unlock], 5)
        XCTAssertEqual(d.eventSites[C.A]?[.condSignal], 7)
    }

    /// Rule: a class's event sites keep the first stack per operation,
    /// whichever operation came first, and the earliest stack of all.
    func testClassEventSitesKeepFirstPerOperation() {
        var d = Detector()
        d.eventSite(cls: C.A, op: .condSignal, stack: 9)
        d.eventSite(cls: C.A, op: .unlock, stack: 4)
        d.eventSite(cls: C.A, op: .condBroadcast, stack: 6)
        d.eventSite(cls: C.A, op: .condSignal, stack: 2)
        d.eventSite(cls: C.A, op: .unlock, stack: 1)
        XCTAssertEqual(d.eventSites[C.A]?[.condSignal], 9)
        XCTAssertEqual(d.eventSites[C.A]?[.unlock], 4)
        XCTAssertEqual(d.eventSites[C.A]?[.condBroadcast], 6)
        XCTAssertNil(d.eventSites[C.A]?[.semPost])
        XCTAssertEqual(d.eventSites[C.A]?.earliest, 4)
        XCTAssertNil(d.eventSites[C.B])
    }

    /// Rule: a wait's nodes are the exclusive and/or shared event of its
    /// class, exclusive first.
    func testWaitNodes() {
        XCTAssertEqual(Array(WaitPoint(cls: 7, inst: 1).nodes), [EventNode(cls: 7), EventNode(cls: 7, shared: true)])
        XCTAssertEqual(Array(WaitPoint(cls: 7, inst: 1, awaits: .exclusive).nodes), [EventNode(cls: 7)])
        XCTAssertEqual(Array(WaitPoint(cls: 7, inst: 1, awaits: .shared).nodes), [EventNode(cls: 7, shared: true)])
        XCTAssertTrue(WaitPoint(cls: 7, inst: 1, awaits: []).nodes.isEmpty)
    }

    // MARK: StackDepot

    /// Rule: interning dedups; ids start at 1 (0 means "no stack"); pcs(0)
    /// and unknown ids are empty.
    func testStackDepotInterning() {
        var depot = StackDepot()
        XCTAssertEqual(depot.count, 0)
        XCTAssertEqual(depot.pcs(0), [])
        let a = depot.intern([1, 2, 3])
        let b = depot.intern([4, 5])
        let a2 = depot.intern([1, 2, 3])
        XCTAssertEqual(a, 1)
        XCTAssertEqual(b, 2)
        XCTAssertEqual(a2, a)
        XCTAssertEqual(depot.count, 2)
        XCTAssertEqual(depot.pcs(a), [1, 2, 3])
        XCTAssertEqual(depot.pcs(b), [4, 5])
        XCTAssertEqual(depot.pcs(0), [])
        XCTAssertEqual(depot.pcs(999), [])
        // A prefix is a different stack.
        XCTAssertEqual(depot.intern([1, 2]), 3)
    }

    /// Rule: the depot's own index keeps every id through its growth, tells
    /// apart stacks that share frames (prefixes, the same frames reordered)
    /// and finds a stack from a buffer as from an array.
    func testStackDepotIndexThroughGrowth() {
        var depot = StackDepot()
        var ids: [[UInt]: UInt32] = [:]
        for i in 0..<3000 {
            let base = UInt(0x40_0000 + i * 16)
            for pcs in [[base, 0x1000, 0x2000], [base, 0x1000], [0x1000, base, 0x2000]] {
                let id = depot.intern(pcs)
                XCTAssertNil(ids[pcs], "\(pcs) interned twice")
                ids[pcs] = id
            }
        }
        XCTAssertEqual(depot.count, 9000)
        XCTAssertEqual(Set(ids.values).count, 9000, "ids are distinct")
        for (pcs, id) in ids {
            XCTAssertEqual(depot.intern(pcs), id)
            XCTAssertEqual(pcs.withUnsafeBufferPointer { depot.intern($0) }, id)
            XCTAssertEqual(depot.pcs(id), pcs)
        }
        XCTAssertEqual(depot.count, 9000, "nothing interned twice")
    }

    /// Rule: Detector.internStack goes through the same depot.
    func testDetectorInternStackUsesDepot() {
        var d = Detector()
        let s = d.internStack([0xa, 0xb])
        XCTAssertEqual(s, 1)
        XCTAssertEqual(d.internStack([0xa, 0xb]), 1)
        XCTAssertEqual(d.depot.pcs(s), [0xa, 0xb])
    }
}
