// dept-example: swift_mutex_dispatch
// expect: silent
// objects: stats queueState
// summary: Swift 6 Synchronization.Mutex (a priority-inheritance futex lock) and Dispatch (DispatchSemaphore, DispatchQueue.sync on a serial queue, DispatchGroup, concurrentPerform): workers update stats under a Mutex, hand results through a semaphore and a serial queue in one consistent order; runs to completion with no report.
// build: swiftc -g -O -o $OUT/swift_mutex_dispatch Examples/swift_mutex_dispatch.swift
import Dispatch
import Synchronization

struct Stats { var items = 0; var sum = 0 }

let stats = Mutex(Stats())                 // taken inside queue.sync blocks, never around them
let queueState = DispatchQueue(label: "dept.example.state")
var log: [Int] = []                        // only touched on queueState
let tokens = DispatchSemaphore(value: 2)   // at most two producers in flight
let done = DispatchSemaphore(value: 0)
let group = DispatchGroup()

for p in 0..<4 {
    DispatchQueue.global().async(group: group) {
        for i in 0..<500 {
            tokens.wait()
            let value = p * 1000 + i
            queueState.sync {
                log.append(value)
                stats.withLock { s in
                    s.items += 1
                    s.sum += value
                }
            }
            tokens.signal()
        }
        done.signal()
    }
}
for _ in 0..<4 { done.wait() }
group.wait()

// A parallel loop whose iterations contend on the Mutex.
DispatchQueue.concurrentPerform(iterations: 8) { k in
    for j in 0..<2000 {
        stats.withLock { s in s.sum += (k + j) % 3 }
    }
}

let (items, sum) = stats.withLock { ($0.items, $0.sum) }
let logged = queueState.sync { log.count }
print("swift_mutex_dispatch: result \(items) items, \(logged) logged, sum \(sum)")
