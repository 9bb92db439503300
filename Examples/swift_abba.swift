// dept-example: swift_abba
// expect: potential
// objects: swift_abba.lockA swift_abba.lockB
// summary: a Swift program takes two global pthread mutexes A->B in one thread, then (after a join) B->A in another: the AB-BA inversion in a Swift host; its stacks and objects must carry demangled Swift names (swift_abba.takeBThenA(), swift_abba.lockA), which libdept.so gets from the toolchain's swift-demangle at report time.
// build: swiftc -g -Onone -module-name swift_abba -o $OUT/swift_abba Examples/swift_abba.swift
#if canImport(Glibc)
import Glibc
#endif

var lockA = pthread_mutex_t()
var lockB = pthread_mutex_t()

@inline(never)
func takeAThenB() {
    pthread_mutex_lock(&lockA)
    pthread_mutex_lock(&lockB)
    pthread_mutex_unlock(&lockB)
    pthread_mutex_unlock(&lockA)
}

@inline(never)
func takeBThenA() {
    pthread_mutex_lock(&lockB)
    pthread_mutex_lock(&lockA)
    pthread_mutex_unlock(&lockA)
    pthread_mutex_unlock(&lockB)
}

/// Runs `body` on a thread of its own and waits for it: the two orders never
/// overlap, so the run itself cannot hang.
func onThread(_ body: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?) {
    var t = pthread_t()
    pthread_create(&t, nil, body, nil)
    pthread_join(t, nil)
}

onThread { _ in takeAThenB(); return nil }
onThread { _ in takeBThenA(); return nil }
print("swift_abba: done")
