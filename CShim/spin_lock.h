// spin_lock.h - the lock of each of dept's own short critical sections: the
// core, the object table, the sync index, the clocks (global and per
// object), the thread registry, the report, the hang check and the thread
// start records.
//
// A test-and-set byte that spins a little, then yields. Its release is a
// plain store, which every hand-over of a sync object's clock pays: a
// futex lock that sleeps instead (tried, with the same users) releases
// with an exchange, and cost 5-15% on the scale workloads without curing
// any stall. What a holder does under these locks is bounded, and never
// waits for the program.
#ifndef DEPT_SPIN_LOCK_H
#define DEPT_SPIN_LOCK_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/single_threaded.h>

/// Zero is free.
typedef struct { _Atomic unsigned char held; } dept_spin;
#define DEPT_SPIN_INIT { 0 }

// The spin locks the calling thread holds or waits for, and the program's
// signals put off meanwhile (deferred_signals.c). A handler that stops its
// thread until another thread restarts it (a collector's stop-the-world)
// must not run while the thread holds one of these: the restarting
// thread's next hook may need the same lock, and both would wait for ever.
// The program's handlers run through a wrapper (signal_hooks.c) that puts
// the signal off while `held` is non-zero; the last release delivers it.
struct dept_spin_tls {
    int held;
    unsigned long long deferred;   // bit sig - 1 for each signal put off
};
extern __thread struct dept_spin_tls dept_spin_tls __attribute__((tls_model("initial-exec")));
__attribute__((visibility("hidden"))) void dept_spin_deliver_deferred(void);

// Whether the process has one thread: glibc's __libc_single_threaded, which
// its pthread_create clears before the new thread exists, and which glibc's
// own mutexes and malloc read to skip their locked instructions. dept's
// only thread, the hang monitor, is made with that pthread_create; its
// helper processes share memory only under CLONE_VFORK, which stops their
// one caller. A thread made behind glibc's back (clone with CLONE_VM) leaves
// the flag set, and glibc's malloc and mutexes are unguarded against it as
// well. With one thread nobody else can hold a lock or see it held, and a
// locked instruction is only a wait for every store before it to be
// written.
static inline bool dept_one_thread(void) { return __libc_single_threaded; }

// A program that makes and destroys millions of mutexes on one thread spent
// a fifth of its time under dept in the object table lock's exchange
// (scale_objects): with one thread the lock is taken by a plain store.
static inline void dept_spin_take(dept_spin *s) {
    // Counted before it is taken: a signal between the take and the count
    // would find it held and uncounted.
    dept_spin_tls.held++;
    if (dept_one_thread()) {
        atomic_store_explicit(&s->held, 1, memory_order_relaxed);
        return;
    }
    int n = 0;
    while (atomic_exchange_explicit(&s->held, 1, memory_order_acquire))
        if (++n > 64) { sched_yield(); n = 0; }
}

static inline void dept_spin_drop(dept_spin *s) {
    atomic_store_explicit(&s->held, 0, memory_order_release);
    if (--dept_spin_tls.held == 0 && __builtin_expect(dept_spin_tls.deferred != 0, 0)) dept_spin_deliver_deferred();
}

#endif
