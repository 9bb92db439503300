import XCTest
@testable import DeptCore

// Shared vocabulary for the synthetic event streams of the DeptCore tests.
// Class ids are small numbers, instance ids are distinct from every class id
// (class * 100 + n by default), thread ids start at 1 (the main thread).

enum Cls {
    static let A: UInt32 = 1
    static let B: UInt32 = 2
    static let C: UInt32 = 3
    static let D: UInt32 = 4
    static let G: UInt32 = 9      // a gate lock class
    static let M: UInt32 = 11     // a mutex next to a rwlock
    static let N: UInt32 = 12     // list nodes: one class, many instances
    static let R: UInt32 = 20     // a rwlock class
    static let X: UInt32 = 30     // an unrelated lock class
    static let T: UInt32 = 40     // a thread class (creation site)
}

/// The default instance of a class.
func inst(_ cls: UInt32, _ n: UInt32 = 0) -> UInt32 { cls * 100 + n }

/// A lock held exclusively (mutex, or rwlock held for writing).
func held(_ cls: UInt32, _ instance: UInt32? = nil, stack: UInt32 = 0, op: DeptCore.Operation = .lock,
          flags: UInt32 = 0) -> HeldContext {
    HeldContext(cls: cls, inst: instance ?? inst(cls), stack: stack, shared: false, op: op, flags: flags)
}

/// A rwlock held for reading.
func readHeld(_ cls: UInt32, _ instance: UInt32? = nil, stack: UInt32 = 0) -> HeldContext {
    HeldContext(cls: cls, inst: instance ?? inst(cls), stack: stack, shared: true, op: .rdlock)
}

/// The body of a thread: [S] at its start, [E] at its exit.
func threadBody(_ cls: UInt32, _ instance: UInt32, stack: UInt32 = 0) -> HeldContext {
    HeldContext(cls: cls, inst: instance, stack: stack, shared: false, op: .threadStart,
                flags: HeldContext.threadFlag)
}

/// `pthread_mutex_lock` / `pthread_rwlock_wrlock`: waits for both releases
/// (what the shim passes: DEPT_EV_EXCL | DEPT_EV_SHARED).
func lockWait(_ cls: UInt32, _ instance: UInt32? = nil, stack: UInt32 = 0, op: DeptCore.Operation = .lock,
              flags: UInt32 = 0) -> WaitPoint {
    WaitPoint(cls: cls, inst: instance ?? inst(cls), stack: stack, awaits: [.exclusive, .shared], op: op, flags: flags)
}

/// `pthread_rwlock_rdlock`: a reader waits only for the exclusive release.
func readWait(_ cls: UInt32, _ instance: UInt32? = nil, stack: UInt32 = 0) -> WaitPoint {
    WaitPoint(cls: cls, inst: instance ?? inst(cls), stack: stack, awaits: [.exclusive], op: .rdlock)
}

/// `pthread_join`: waits for the thread's exit.
func joinWait(_ cls: UInt32, _ instance: UInt32, stack: UInt32 = 0) -> WaitPoint {
    WaitPoint(cls: cls, inst: instance, stack: stack, awaits: [.exclusive], op: .join)
}

/// A table-driven symbolizer: pcs -> frames, data addresses -> names.
struct FakeSymbolizer: Symbolizing {
    var code: [UInt: Frame] = [:]
    var data: [UInt: String] = [:]
    var mods: [Module] = []
    var frameCalls = 0
    var dataCalls = 0

    mutating func frames(for pcs: [UInt]) -> [UInt: Frame] {
        frameCalls += 1
        var out: [UInt: Frame] = [:]
        for pc in pcs { if let f = code[pc] { out[pc] = f } }
        return out
    }

    mutating func dataNames(for addrs: [UInt]) -> [UInt: String] {
        dataCalls += 1
        var out: [UInt: String] = [:]
        for a in addrs { if let n = data[a] { out[a] = n } }
        return out
    }

    func modules() -> [Module] { mods }
}

extension XCTestCase {
    /// The classes of a found cycle's links, in order (from-classes).
    func linkClasses(_ e: CycleEvidence) -> [UInt32] { e.links.map(\.from.cls) }
}
