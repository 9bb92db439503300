// dept-example: swift_annotated_lock
// expect: potential
// objects: swift_annotated_lock.lockPClass swift_annotated_lock.lockQClass
// summary: A Swift spin lock of the program's own (Synchronization.Atomic, never a system call), annotated through the Dept module (include/dept/module.modulemap: dept_map_init with a struct dept_key per lock class, dept_wait_begin, dept_ecxt_enter, dept_ecxt_exit): thread X takes p then q, later thread Y takes q then p. Built against the module, it runs without the preload too.
// build: swiftc -g -Onone -I include/dept -o $OUT/swift_annotated_lock Examples/swift_annotated_lock.swift
import Dept
import Glibc
import Synchronization

final class SpinLock: @unchecked Sendable {
    private let word = Atomic<Int>(0)
    private var address: UnsafeRawPointer { UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()) }

    init(_ key: UnsafePointer<dept_key>) { dept_map_init(address, key) }
    deinit { dept_map_destroy(address) }

    func lock() {
        dept_wait_begin(address, DEPT_LOCK)
        while !word.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged { sched_yield() }
        dept_wait_end(address)
        dept_ecxt_enter(address, 0)
    }

    func unlock() {
        word.store(0, ordering: .releasing)
        dept_ecxt_exit(address, 0)
    }
}

var lockPClass = dept_key()
var lockQClass = dept_key()
let p = SpinLock(&lockPClass)
let q = SpinLock(&lockQClass)

func ctxX() { p.lock(); q.lock(); q.unlock(); p.unlock() }
func ctxY() { q.lock(); p.lock(); p.unlock(); q.unlock() }

var t = pthread_t()
pthread_create(&t, nil, { _ in ctxX(); return nil }, nil)
pthread_join(t, nil)
pthread_create(&t, nil, { _ in ctxY(); return nil }, nil)
pthread_join(t, nil)
print("swift_annotated_lock: done")
