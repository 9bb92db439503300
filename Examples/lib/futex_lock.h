// futex_lock.h - a lock and a completion built on raw futex words, the
// kind of primitive dept cannot see by itself (its uncontended paths never
// call the kernel), annotated with include/dept.h. Used by the annotated_*
// examples; static inline, one copy per program.
#ifndef EXAMPLES_FUTEX_LOCK_H
#define EXAMPLES_FUTEX_LOCK_H
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "dept.h"

static inline long futex_op(uint32_t *w, int op, uint32_t val)
{
    return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

// Drepper's mutex: 0 free, 1 locked, 2 locked with waiters.
struct futex_lock { uint32_t word; };

static inline void futex_lock_init(struct futex_lock *l, const struct dept_key *key)
{
    l->word = 0;
    dept_map_init(l, key);
}

static inline void futex_lock_acquire(struct futex_lock *l)
{
    dept_wait_begin(l, DEPT_LOCK);              // [W]: may sleep until a holder releases it
    uint32_t c = 0;
    if (!__atomic_compare_exchange_n(&l->word, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        if (c != 2) c = __atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE);
        while (c != 0) {
            futex_op(&l->word, FUTEX_WAIT_PRIVATE, 2);
            c = __atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE);
        }
    }
    dept_wait_end(l);
    dept_ecxt_enter(l, 0);                      // [S]: heading for its release
}

static inline void futex_lock_release(struct futex_lock *l)
{
    if (__atomic_exchange_n(&l->word, 0, __ATOMIC_RELEASE) == 2)
        futex_op(&l->word, FUTEX_WAKE_PRIVATE, 1);
    dept_ecxt_exit(l, 0);                       // [E]
}

// A completion (the kernel's): waiters sleep until complete() is called.
// The futex word is not the completion's address: the annotations name the
// completion, its futex calls are part of them.
struct completion { uint32_t sleepers; uint32_t done; };

static inline void init_completion(struct completion *c, const struct dept_key *key)
{
    c->sleepers = 0;
    c->done = 0;
    dept_map_init(c, key);
}

static inline void wait_for_completion(struct completion *c)
{
    dept_wait_begin(c, 0);                      // [W]: until complete()
    while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) {
        __atomic_fetch_add(&c->sleepers, 1, __ATOMIC_SEQ_CST);
        futex_op(&c->done, FUTEX_WAIT_PRIVATE, 0);
        __atomic_fetch_sub(&c->sleepers, 1, __ATOMIC_SEQ_CST);
    }
    dept_wait_end(c);
}

static inline void complete(struct completion *c)
{
    dept_event(c, 0);                           // [E]
    __atomic_store_n(&c->done, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&c->sleepers, __ATOMIC_SEQ_CST))
        futex_op(&c->done, FUTEX_WAKE_PRIVATE, INT_MAX);
}

#endif
