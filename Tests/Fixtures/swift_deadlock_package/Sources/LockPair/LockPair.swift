#if canImport(Glibc)
import Glibc
#endif

/// Two pthread mutexes and the two orders to take them in.
public final class LockPair: @unchecked Sendable {
    let first: UnsafeMutablePointer<pthread_mutex_t>
    let second: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        first = .allocate(capacity: 1)
        second = .allocate(capacity: 1)
        pthread_mutex_init(first, nil)
        pthread_mutex_init(second, nil)
    }

    deinit {
        pthread_mutex_destroy(first); pthread_mutex_destroy(second)
        first.deallocate(); second.deallocate()
    }

    /// Takes first, then second.
    public func transferForward(_ work: () -> Void) {
        pthread_mutex_lock(first)
        pthread_mutex_lock(second)
        work()
        pthread_mutex_unlock(second)
        pthread_mutex_unlock(first)
    }

    /// Takes second, then first: the inversion.
    public func transferBackward(_ work: () -> Void) {
        pthread_mutex_lock(second)
        pthread_mutex_lock(first)
        work()
        pthread_mutex_unlock(first)
        pthread_mutex_unlock(second)
    }
}
