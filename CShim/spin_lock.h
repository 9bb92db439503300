// spin_lock.h - the lock of each of dept's own short critical sections: the
// core, the object table, the sync index, the clocks (global and per
// object), the thread registry, the report, the hang check and the thread
// start records.
//
// A test-and-set flag that spins a little, then yields. Its release is a
// plain store, which every hand-over of a sync object's clock pays: a
// futex lock that sleeps instead (tried, with the same users) releases
// with an exchange, and cost 5-15% on the scale workloads without curing
// any stall. What a holder does under these locks is bounded, and never
// waits for the program.
#ifndef DEPT_SPIN_LOCK_H
#define DEPT_SPIN_LOCK_H

#include <sched.h>
#include <stdatomic.h>

static inline void dept_spin_take(atomic_flag *f) {
    int n = 0;
    while (atomic_flag_test_and_set_explicit(f, memory_order_acquire))
        if (++n > 64) { sched_yield(); n = 0; }
}

static inline void dept_spin_drop(atomic_flag *f) { atomic_flag_clear_explicit(f, memory_order_release); }

#endif
