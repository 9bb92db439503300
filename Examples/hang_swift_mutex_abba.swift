// dept-example: hang_swift_mutex_abba
// expect: deadlock
// objects: hang_swift_mutex_abba.mutexA hang_swift_mutex_abba.mutexB
// summary: Swift 6 Synchronization.Mutex AB-BA: thread X holds mutexA and asks for mutexB while thread Y holds mutexB and asks for mutexA; both acquisitions of the first lock are uncontended (never seen), the kernel's priority-inheritance futex fails Y's FUTEX_LOCK_PI with EDEADLK and the Swift runtime dies of it ("Recursive call to lock Mutex"); dept must report the deadlock, with both threads and both mutexes, before that.
// build: swiftc -g -Onone -o $OUT/hang_swift_mutex_abba Examples/hang_swift_mutex_abba.swift
import Glibc
import Synchronization

let mutexA = Mutex(0)
let mutexB = Mutex(0)
let xHoldsA = Atomic<Int>(0)
let yHoldsB = Atomic<Int>(0)
let xTid = Atomic<Int32>(0)
let mainJoins = Atomic<Int>(0)

// Not exported by Glibc's Swift module (they need _GNU_SOURCE).
@_silgen_name("pthread_setname_np") func setThreadName(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
@_silgen_name("gettid") func threadID() -> Int32

/// Until thread `tid` sleeps in the kernel (a futex): X is queued on mutexB.
func untilBlocked(_ tid: Int32) {
    let path = "/proc/self/task/\(tid)/syscall"
    while true {
        var line = [CChar](repeating: 0, count: 64)
        if let f = fopen(path, "r") {
            let got = fgets(&line, 64, f) != nil
            fclose(f)
            if got && String(cString: line).hasPrefix("202 ") { return }
        }
        sched_yield()
    }
}

func ctxX() {
    _ = setThreadName(pthread_self(), "ctx-X")
    xTid.store(threadID(), ordering: .sequentiallyConsistent)
    mutexA.withLock { a in
        xHoldsA.store(1, ordering: .sequentiallyConsistent)
        while yHoldsB.load(ordering: .sequentiallyConsistent) == 0 { sched_yield() }
        mutexB.withLock { b in b += 1 }         // sleeps in FUTEX_LOCK_PI: Y holds mutexB
        a += 1
    }
}

func ctxY() {
    _ = setThreadName(pthread_self(), "ctx-Y")
    while xHoldsA.load(ordering: .sequentiallyConsistent) == 0 { sched_yield() }
    mutexB.withLock { b in
        yHoldsB.store(1, ordering: .sequentiallyConsistent)
        untilBlocked(xTid.load(ordering: .sequentiallyConsistent))
        // The report comes with the EDEADLK: main must be in its join too.
        while mainJoins.load(ordering: .sequentiallyConsistent) == 0 { sched_yield() }
        untilBlocked(getpid())
        mutexA.withLock { a in a += 1 }         // EDEADLK: the Swift runtime traps
        b += 1
    }
}

alarm(10)
var x = pthread_t()
var y = pthread_t()
pthread_create(&x, nil, { _ in ctxX(); return nil }, nil)
pthread_create(&y, nil, { _ in ctxY(); return nil }, nil)
mainJoins.store(1, ordering: .sequentiallyConsistent)
pthread_join(x, nil)
pthread_join(y, nil)
print("hang_swift_mutex_abba: unreachable")
