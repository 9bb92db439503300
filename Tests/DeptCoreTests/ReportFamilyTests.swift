import XCTest
@testable import DeptCore

/// ReportFamily: cycles whose threads wait at the same places are one
/// report; any other difference in where they wait keeps them apart.
final class ReportFamilyTests: XCTestCase {

    static func frame(_ offset: UInt, _ function: String, module: String = "/usr/lib/libuno_cppuhelpergcc3.so.3") -> Frame {
        Frame(pc: 0x7f00_0000_0000 + offset, module: module, offset: offset, function: function)
    }

    static let osl = frame(0x3841e, "osl_acquireMutex", module: "/usr/lib/libuno_sal.so.3")
    static let disposeWait = [frame(0x60798, "disposing"), frame(0x4be4a, "dispose"), frame(0x3c0f7, "shutdown")]
    /// The constructor's call back into the manager, through a lock wrapper.
    static func callBack(from caller: UInt) -> [Frame] {
        var wrapper = osl
        wrapper.wrapsLock = true
        return [wrapper, frame(0x64641, "getPropertyValue"), frame(0x5e4aa, "createInstance"), frame(caller, "ctor")]
    }

    /// LibreOffice's shape (survey 12, F5): the manager's mutex M and one
    /// implementation's mutex, of a first-use class named by `firstUse`.
    static func cycle(firstUse: UInt, caller: UInt = 0x12d79c1, key: String? = nil) -> Report {
        let impl = "first-use@libuno_cppuhelpergcc3.so.3+0x\(String(firstUse, radix: 16))"
        let t = ThreadRef(tid: 1, osTid: 0, name: nil, createdAt: [])
        let a = Context(label: "A", thread: t,
                        start: Point(operation: "pthread_mutex_lock", object: "init@M", stack: [frame(0x6075c, "disposing")]),
                        wait: Point(operation: "pthread_mutex_lock", object: impl, stack: disposeWait),
                        event: Point(operation: "pthread_mutex_unlock", object: "init@M", stack: []))
        let b = Context(label: "B", thread: t,
                        start: Point(operation: "pthread_mutex_lock", object: impl, stack: [frame(firstUse, "getter")]),
                        wait: Point(operation: "pthread_mutex_lock", object: "init@M", stack: callBack(from: caller)),
                        event: Point(operation: "pthread_mutex_unlock", object: impl, stack: []))
        var r = Report(kind: .potential, pid: 1, contexts: [a, b], key: key ?? ReportBuilder.key([a, b]), summaryFrame: nil)
        r.family = ReportFamily.key(r.contexts)
        return r
    }

    func testSameWaitsThroughOtherClassesAreOneFamily() {
        let first = Self.cycle(firstUse: 0x5e4c0), second = Self.cycle(firstUse: 0x5e708)
        XCTAssertNotEqual(first.key, second.key, "other classes: other cycles")
        XCTAssertNotNil(first.family)
        XCTAssertEqual(first.family, second.family)
        // The callers below the wait's caller are not part of it: each
        // singleton's constructor reaches the manager from its own code.
        XCTAssertEqual(Self.cycle(firstUse: 0x5e4c0, caller: 0x2771412).family, first.family)
    }

    func testTheWaitsCallerTellsAHelpersInversionsApart() {
        var other = Self.cycle(firstUse: 0x5e708)
        other.contexts[1].wait.stack[2] = Self.frame(0x5e9f0, "createInstanceWithArguments")
        XCTAssertNotEqual(ReportFamily.key(other.contexts), Self.cycle(firstUse: 0x5e4c0).family)
    }

    func testAnotherWaitSiteIsAnotherFamily() {
        var other = Self.cycle(firstUse: 0x5e708)
        other.contexts[0].wait.stack[0] = Self.frame(0x607a0, "disposing")
        XCTAssertNotEqual(ReportFamily.key(other.contexts), Self.cycle(firstUse: 0x5e4c0).family)
        var op = Self.cycle(firstUse: 0x5e708)
        op.contexts[0].wait.operation = "pthread_rwlock_wrlock"
        XCTAssertNotEqual(ReportFamily.key(op.contexts), Self.cycle(firstUse: 0x5e4c0).family)
    }

    func testTheFamilyDoesNotDependOnWhereTheCycleWasEntered() {
        let r = Self.cycle(firstUse: 0x5e4c0)
        XCTAssertEqual(ReportFamily.key(Array(r.contexts.reversed())), r.family)
    }

    func testTheModuleIsNamedByItsFileNotItsPath() {
        var moved = Self.cycle(firstUse: 0x5e4c0)
        for i in moved.contexts.indices {
            moved.contexts[i].wait.stack = moved.contexts[i].wait.stack.map { f in
                var g = f
                g.module = "/opt/lo/program/" + (f.module.split(separator: "/").last.map(String.init) ?? "")
                g.pc += 0x1000
                return g
            }
        }
        XCTAssertEqual(ReportFamily.key(moved.contexts), Self.cycle(firstUse: 0x5e4c0).family)
    }

    func testAWaitWithoutFramesHasNoFamily() {
        var r = Self.cycle(firstUse: 0x5e4c0)
        r.contexts[1].wait.stack = []
        XCTAssertNil(ReportFamily.key(r.contexts))
    }

    func testOnlyTheFirstCycleOfAFamilyIsPrinted() {
        var families = ReportFamilies()
        let first = Self.cycle(firstUse: 0x5e4c0), second = Self.cycle(firstUse: 0x5e708)
        XCTAssertNil(families.printedBefore(first))
        XCTAssertEqual(families.printedBefore(second), first.key)
        XCTAssertNil(families.printedBefore(first), "the printed report itself is no repeat of its family")
        var other = Self.cycle(firstUse: 0x5ffe5)
        other.contexts[0].wait.stack[0] = Self.frame(0x607a0, "disposing")
        other.family = ReportFamily.key(other.contexts)
        XCTAssertNil(families.printedBefore(other))
    }

    func testLiveReportsAndCyclesWithoutAFamilyAreAlwaysPrinted() {
        var families = ReportFamilies()
        XCTAssertNil(families.printedBefore(Self.cycle(firstUse: 0x5e4c0)))
        var live = Self.cycle(firstUse: 0x5e708)
        live.kind = .deadlock
        XCTAssertNil(families.printedBefore(live))
        var unplaced = Self.cycle(firstUse: 0x5e708)
        unplaced.family = nil
        XCTAssertNil(families.printedBefore(unplaced))
    }
}
