// rwlock_hooks.c - pthread_rwlock_* mapped onto the model. An rwlock has two
// events: its release by the writer and its release by a reader.
//   wrlock = [W] for both (a writer waits for readers and writers), [S] of the writer release
//   rdlock = [W] for the writer release only (readers never wait for readers), [S] of a reader release
//   try*   = [S] only; timed/clock* = timed [W] (never in a deadlock), then [S]
//   unlock = [E] of whichever release the thread was heading for
#include "shim.h"
#include <errno.h>
#include <time.h>

DEFINE_REAL(int, pthread_rwlock_timedrdlock, pthread_rwlock_t *, const struct timespec *)
DEFINE_REAL(int, pthread_rwlock_timedwrlock, pthread_rwlock_t *, const struct timespec *)
DEFINE_REAL(int, pthread_rwlock_clockrdlock, pthread_rwlock_t *, clockid_t, const struct timespec *)
DEFINE_REAL(int, pthread_rwlock_clockwrlock, pthread_rwlock_t *, clockid_t, const struct timespec *)

enum { RD = 0, WR = 1, TRYRD = 2, TRYWR = 3, TIMEDRD = 4, TIMEDWR = 5, CLOCKRD = 6, CLOCKWR = 7 };

static int call_real(int how, pthread_rwlock_t *l, clockid_t c, const struct timespec *ts) {
    switch (how) {
    case RD: return __pthread_rwlock_rdlock(l);
    case WR: return __pthread_rwlock_wrlock(l);
    case TRYRD: return __pthread_rwlock_tryrdlock(l);
    case TRYWR: return __pthread_rwlock_trywrlock(l);
    case TIMEDRD: resolve_pthread_rwlock_timedrdlock(); return REAL(pthread_rwlock_timedrdlock)(l, ts);
    case TIMEDWR: resolve_pthread_rwlock_timedwrlock(); return REAL(pthread_rwlock_timedwrlock)(l, ts);
    case CLOCKRD: resolve_pthread_rwlock_clockrdlock(); return REAL(pthread_rwlock_clockrdlock)(l, c, ts);
    default: resolve_pthread_rwlock_clockwrlock(); return REAL(pthread_rwlock_clockwrlock)(l, c, ts);
    }
}

// A blocking acquisition whose context is pushed: try first; contended, the
// thread is marked blocked around the real call. On failure the pushed
// context is dropped again.
static __attribute__((noinline)) int take_slow(struct dept_thread *t, int how, pthread_rwlock_t *l, clockid_t c,
                                               const struct timespec *ts, int r) {
    bool write = how & 1;
    if (r == EBUSY) {
        struct dept_held h = dept_pushed_entry(t, (uintptr_t)l);
        dept_block_begin(t, (uintptr_t)l, (struct dept_obj_ref){ h.cls, h.inst, (uintptr_t)l }, write ? DEPT_OP_WRLOCK : DEPT_OP_RDLOCK,
                         write ? (DEPT_EV_EXCL | DEPT_EV_SHARED) : DEPT_EV_EXCL, h.stack, how >= TIMEDRD ? DEPT_BLOCK_TIMED : 0);
        r = call_real(how, l, c, ts);
        dept_block_end(t);
    }
    if (UNLIKELY(r != 0)) {
        int e = errno;
        dept_tls_guard = 1;
        dept_drop_held(t, (uintptr_t)l);
        dept_leave();
        errno = e;
    }
    return r;
}

static inline int take(struct dept_thread *t, int how, pthread_rwlock_t *l, clockid_t c, const struct timespec *ts) {
    int r = (how & 1) ? __pthread_rwlock_trywrlock(l) : __pthread_rwlock_tryrdlock(l);
    if (LIKELY(r == 0)) return 0;
    return take_slow(t, how, l, c, ts, r);
}

// Everything but a cached acquisition. `key`: the acquisition cache key
// computed before anything was pushed (0: not cacheable).
static __attribute__((noinline)) int acquire_slow(struct dept_thread *t, int how, pthread_rwlock_t *l, clockid_t c,
                                                  const struct timespec *ts, uintptr_t pc, uint64_t key) {
    bool write = how & 1;
    bool try = how == TRYRD || how == TRYWR;
    bool timed = how >= TIMEDRD;
    uint16_t op = write ? (try ? DEPT_OP_TRYWRLOCK : DEPT_OP_WRLOCK) : (try ? DEPT_OP_TRYRDLOCK : DEPT_OP_RDLOCK);
    uint16_t mode = write ? DEPT_EV_EXCL : DEPT_EV_SHARED;
    uint64_t gen = dept_acq_gen((uintptr_t)l);
    struct dept_obj_ref o = dept_obj_lookup((uintptr_t)l, DEPT_OBJ_RWLOCK, pc);
    if (try) {
        dept_leave();
        int r = call_real(how, l, c, ts);
        if (r == 0) {
            dept_tls_guard = 1;
            dept_ecxt_enter(t, (uintptr_t)l, o, mode, op, DEPT_HELD_TRY, 0, pc);
            dept_leave();
        }
        return r;
    }
    uint16_t awaits = write ? (DEPT_EV_EXCL | DEPT_EV_SHARED) : DEPT_EV_EXCL;
    uint32_t stack = dept_wait_begin_fast(t, o, awaits, op, timed ? DEPT_WAIT_TIMED : 0, pc);
    dept_push_fast(t, (uintptr_t)l, o, mode, op, timed ? DEPT_HELD_TIMED : 0, stack, pc);
    if (key) dept_acq_remember(t, key, gen);
    dept_leave();
    return take(t, how, l, c, ts);
}

static __attribute__((noinline)) int acquire_full(int how, pthread_rwlock_t *l, clockid_t c, const struct timespec *ts, uintptr_t pc) {
    if (UNLIKELY(dept_untracked_site(pc))) {
        int r = call_real(how, l, c, ts);
        if (r == 0) dept_untracked_lock(pc, 1);
        return r;
    }
    struct dept_thread *t = dept_enter();
    if (!t) return call_real(how, l, c, ts);
    uint64_t key = how == RD || how == WR ? dept_acq_key(t, (uintptr_t)l, how == WR ? DEPT_OP_WRLOCK : DEPT_OP_RDLOCK, pc) : 0;
    // No clock is published into a rwlock (no condition variable waits
    // with one): an entry that says so is not taken as it is.
    bool published = false;
    const struct dept_acq_entry *e = key ? dept_acq_probe_more(t, key, (uintptr_t)l, &published) : 0;
    if (e && !published) {
        dept_push_known(t, (uintptr_t)l, e, 0, 0, pc);
        dept_leave();
        return take(t, how, l, c, ts);
    }
    return acquire_slow(t, how, l, c, ts, pc, key);
}

static inline int acquire(int how, pthread_rwlock_t *l, clockid_t c, const struct timespec *ts, uintptr_t pc) {
    if (how == RD || how == WR) {
        // One probe answers a known acquisition (see pthread_mutex_lock).
        struct dept_thread *t = dept_current();
        if (LIKELY(t)) {
            // Guarded from the probe on, as in pthread_mutex_lock: a signal
            // handler's lock in between would refill the entry found.
            dept_tls_guard = 1;
            if (UNLIKELY(t->sems_held)) dept_held_validate(t);   // as in pthread_mutex_lock
            struct dept_acq *a = dept_acq_probe(t, dept_acq_key(t, (uintptr_t)l, how == WR ? DEPT_OP_WRLOCK : DEPT_OP_RDLOCK, pc), (uintptr_t)l);
            if (LIKELY(a)) {
                dept_push_known(t, (uintptr_t)l, &a->e, a->objects, 0, pc);
                dept_leave();
                return take(t, how, l, c, ts);
            }
            dept_tls_guard = 0;
        }
    }
    return acquire_full(how, l, c, ts, pc);
}

DEPT_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l) { return acquire(RD, l, 0, 0, CALLER_PC()); }
DEPT_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l) { return acquire(WR, l, 0, 0, CALLER_PC()); }
DEPT_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *l) { return acquire(TRYRD, l, 0, 0, CALLER_PC()); }
DEPT_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *l) { return acquire(TRYWR, l, 0, 0, CALLER_PC()); }
DEPT_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *ts) { return acquire(TIMEDRD, l, 0, ts, CALLER_PC()); }
DEPT_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *ts) { return acquire(TIMEDWR, l, 0, ts, CALLER_PC()); }
DEPT_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t c, const struct timespec *ts) { return acquire(CLOCKRD, l, c, ts, CALLER_PC()); }
DEPT_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t c, const struct timespec *ts) { return acquire(CLOCKWR, l, c, ts, CALLER_PC()); }

// glibc's word (nptl/pthread_rwlock_common.c): bit 1 says a writer holds
// the lock, the bits from 3 up count its readers; __cur_writer is the
// writer's thread id.
#define RW_WRLOCKED 2u
#define RW_READER_SHIFT 3

// An unlock of a rwlock this thread does not hold as far as dept knows,
// judged by the lock's own word before the real call: glibc's unlock
// releases a read lock whenever the caller is not the writer, so an unlock
// of a free rwlock (Helgrind's tc12_rwl_trivial), or of one another thread
// holds for writing, corrupts its reader count. Every later lock may then
// block for ever.
static void check_unheld_unlock(struct dept_thread *t, pthread_rwlock_t *l, uintptr_t pc) {
    unsigned word = __atomic_load_n(&l->__data.__readers, __ATOMIC_RELAXED);
    bool readers = word >> RW_READER_SHIFT, writer = word & RW_WRLOCKED;
    uint32_t kind;
    if (!readers && !writer) kind = DEPT_WARN_UNLOCK_NOT_LOCKED;
    else if (!readers && writer && __atomic_load_n(&l->__data.__cur_writer, __ATOMIC_RELAXED) != t->os_tid)
        kind = DEPT_WARN_UNLOCK_NOT_OWNER;
    else return;
    dept_warn(kind, t, dept_obj_lookup((uintptr_t)l, DEPT_OBJ_RWLOCK, pc).cls, true);
}

static __attribute__((noinline)) int unlock_slow(pthread_rwlock_t *l, uintptr_t pc) {
    if (UNLIKELY(dept_untracked_site(pc))) {
        dept_untracked_lock(pc, -1);
        return __pthread_rwlock_unlock(l);
    }
    struct dept_thread *t = dept_enter();
    if (!t) return __pthread_rwlock_unlock(l);
    int32_t i = dept_held_index(t, (uintptr_t)l);
    if (UNLIKELY(i < 0)) check_unheld_unlock(t, l, pc);
    int r = __pthread_rwlock_unlock(l);
    if (LIKELY(i >= 0 && r == 0)) dept_release_at(t, (uint32_t)i, DEPT_OP_UNLOCK, pc);
    dept_leave();
    return r;
}

DEPT_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l) {
    // The innermost held lock: pop its entry, then a tail call.
    if (LIKELY(dept_pop_top((uintptr_t)l))) return __pthread_rwlock_unlock(l);
    return unlock_slow(l, CALLER_PC());
}

DEPT_EXPORT int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a) {
    int r = __pthread_rwlock_init(l, a);
    struct dept_thread *t = dept_enter();
    if (!t) return r;
    int e = errno;
    if (r == 0) dept_obj_init((uintptr_t)l, DEPT_OBJ_RWLOCK, CALLER_PC());
    dept_leave();
    errno = e;
    return r;
}

DEPT_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *l) {
    int r = __pthread_rwlock_destroy(l);
    struct dept_thread *t = dept_enter();
    if (!t) return r;
    int e = errno;
    if (r == 0) { dept_drop_held(t, (uintptr_t)l); dept_sync_forget(dept_obj_destroy((uintptr_t)l)); }
    dept_leave();
    errno = e;
    return r;
}
