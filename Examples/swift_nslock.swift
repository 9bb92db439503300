// dept-example: swift_nslock
// expect: silent
// objects: stateLock statsLock
// summary: Swift Foundation NSLocks taken in one consistent order (stateLock then statsLock) from DispatchQueue.concurrentPerform and a DispatchGroup of async blocks; prints a result and must preload cleanly and stay silent.
// build: swiftc -g -O -o $OUT/swift_nslock Examples/swift_nslock.swift
import Foundation
import Dispatch

final class Counter {
    let stateLock = NSLock()    // always first
    let statsLock = NSLock()    // always second
    private(set) var value = 0
    private(set) var updates = 0

    func add(_ n: Int) {
        stateLock.lock()
        defer { stateLock.unlock() }
        value += n
        statsLock.lock()        // stateLock -> statsLock
        updates += 1
        statsLock.unlock()
    }

    func snapshot() -> (Int, Int) {
        stateLock.lock()
        defer { stateLock.unlock() }
        statsLock.lock()
        defer { statsLock.unlock() }
        return (value, updates)
    }
}

let counter = Counter()

// Parallel loop on the global concurrent pool.
DispatchQueue.concurrentPerform(iterations: 8) { i in
    for j in 0..<2000 {
        counter.add((i + j) % 7)
    }
}

// Async blocks on a concurrent queue, waited for with a DispatchGroup.
let queue = DispatchQueue(label: "dept.example.work", attributes: .concurrent)
let group = DispatchGroup()
for i in 0..<16 {
    queue.async(group: group) {
        for _ in 0..<500 {
            counter.add(i)
        }
    }
}
group.wait()

let (value, updates) = counter.snapshot()
print("swift_nslock: result \(value) in \(updates) updates")
