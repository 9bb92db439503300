// dept-example: swift_abba_exported
// expect: potential
// objects: swift_abba_exported.lockA swift_abba_exported.lockB
// summary: swift_abba with its two mutexes public and exported (-Xlinker --export-dynamic), as a Swift library's globals are: where no symbolizer runs (symbolize=0) they are named by the loader's exported symbol, which must be demangled just the same, since an object's name is part of the report's key.
// build: swiftc -g -Onone -module-name swift_abba_exported -Xlinker --export-dynamic -o $OUT/swift_abba_exported Examples/swift_abba_exported.swift
#if canImport(Glibc)
import Glibc
#endif

public var lockA = pthread_mutex_t()
public var lockB = pthread_mutex_t()

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
print("swift_abba_exported: done")
