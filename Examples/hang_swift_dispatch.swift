// dept-example: hang_swift_dispatch
// expect: hang
// objects: hang_swift_dispatch.state
// summary: Swift Dispatch and Synchronization hang: thread X runs a block on serial queue `queue` (DispatchQueue.sync) that needs Mutex `state`; thread Y holds `state` and calls queue.sync, so it waits for X's block; main waits on a DispatchSemaphore that Y would signal. Every thread sleeps in a futex or semaphore wait: a hang, with each thread and what it waits in.
// build: swiftc -g -Onone -o $OUT/hang_swift_dispatch Examples/hang_swift_dispatch.swift
import Dispatch
import Glibc
import Synchronization

@_silgen_name("pthread_setname_np") func setThreadName(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32

let state = Mutex(0)
let queue = DispatchQueue(label: "dept.example.queue")
let finished = DispatchSemaphore(value: 0)
let xInBlock = Atomic<Int>(0)
let yHoldsState = Atomic<Int>(0)

func ctxX() {
    _ = setThreadName(pthread_self(), "ctx-X")
    queue.sync {
        xInBlock.store(1, ordering: .sequentiallyConsistent)
        while yHoldsState.load(ordering: .sequentiallyConsistent) == 0 { sched_yield() }
        state.withLock { $0 += 1 }          // sleeps: Y holds state
    }
}

func ctxY() {
    _ = setThreadName(pthread_self(), "ctx-Y")
    while xInBlock.load(ordering: .sequentiallyConsistent) == 0 { sched_yield() }
    state.withLock { s in
        yHoldsState.store(1, ordering: .sequentiallyConsistent)
        queue.sync { s += 1 }               // sleeps: X's block holds the queue
    }
    finished.signal()
}

alarm(10)
var x = pthread_t()
var y = pthread_t()
pthread_create(&x, nil, { _ in ctxX(); return nil }, nil)
pthread_create(&y, nil, { _ in ctxY(); return nil }, nil)
finished.wait()
print("hang_swift_dispatch: unreachable")
