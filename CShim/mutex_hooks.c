// mutex_hooks.c - pthread_mutex_* mapped onto the model:
//   lock        = [W] on the mutex, then [S] of its unlock
//   trylock     = [S] only (it cannot block)
//   timed/clock = a timed [W] (never part of a deadlock), then [S]
//   unlock      = [E]
// Every hook returns the real call's value and leaves errno as the real
// call left it.
#include "hook_entries.h"
#include "clocks.h"
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

// glibc keeps the mutex type in the low bits of __kind and the owner's TID
// in __owner; both are part of the public layout of pthread_mutex_t.
#define KIND(m) ((m)->__data.__kind & 3)

// A default mutex (kind 0: not recursive, error-checking, adaptive, robust,
// priority-inheriting or -protecting, process-shared or elided) is taken
// and released here the way glibc does it, instead of through a call to
// __pthread_mutex_trylock/__pthread_mutex_unlock: those two calls were 60
// of the ~190 instructions of a lock/unlock pair under dept (57 without
// it), the largest part of `nested`'s cost. The protocol is glibc's
// lowlevellock, unchanged since NPTL: __lock 0 free, 1 taken, 2 taken with
// sleepers; the taker records its kernel tid in __owner and counts itself
// in __nusers (pthread_mutex_destroy's EBUSY, the condvar code and our own
// owner checks read them); the releaser clears both, swaps __lock to 0 and
// wakes one sleeper when it was 2. While the process has one thread
// (dept_one_thread) the word is read and written without a locked
// instruction, as glibc's own lock and unlock do then: nobody else can
// see it, and the locked exchange waited for every store of the hooks
// before it to be written (in a single-threaded program cycling through
// 10,000 classes, the unlock's exchange held four fifths of the unlock
// hook's samples, and the run's CPU time fell from 188 to 146 ms).
// Every other kind, and the contended
// acquisition, stays with glibc. So do all mutexes of a process started
// with lock elision (GLIBC_TUNABLES glibc.elision.enable=1): glibc turns a
// default mutex into an elided one on its first lock, whose unlock leaves
// __owner and __nusers as they are.
#if defined(__x86_64__)
static bool elision_on;
__attribute__((constructor)) static void read_elision_tunable(void) {
    const char *t = getenv("GLIBC_TUNABLES");
    elision_on = t && strstr(t, "glibc.elision.enable=1");
}
static inline bool default_kind(const pthread_mutex_t *m) { return m->__data.__kind == 0 && !elision_on; }
static inline int try_default(pthread_mutex_t *m, int32_t tid) {
    if (dept_one_thread()) {
        if (__atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) != 0) return EBUSY;
        __atomic_store_n(&m->__data.__lock, 1, __ATOMIC_RELAXED);
    } else {
        int expected = 0;
        if (!__atomic_compare_exchange_n(&m->__data.__lock, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return EBUSY;
    }
    m->__data.__owner = tid;
    ++m->__data.__nusers;
    return 0;
}
// Our own syscall() is an interposer (futex_hooks.c): the wake is made
// directly, and it leaves errno alone, as glibc's does.
static inline void wake_one_private(int *word) {
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "0"((long)SYS_futex), "D"(word), "S"((long)(FUTEX_WAKE | FUTEX_PRIVATE_FLAG)), "d"(1L)
                     : "rcx", "r11", "memory");
    (void)r;
}
static inline void unlock_default(pthread_mutex_t *m) {
    m->__data.__owner = 0;
    --m->__data.__nusers;
    if (dept_one_thread()) { __atomic_store_n(&m->__data.__lock, 0, __ATOMIC_RELAXED); return; }
    if (__atomic_exchange_n(&m->__data.__lock, 0, __ATOMIC_RELEASE) > 1) wake_one_private(&m->__data.__lock);
}
#else
static inline bool default_kind(const pthread_mutex_t *m) { (void)m; return false; }
static inline int try_default(pthread_mutex_t *m, int32_t tid) { (void)tid; return __pthread_mutex_trylock(m); }
static inline void unlock_default(pthread_mutex_t *m) { __pthread_mutex_unlock(m); }
#endif

DEFINE_REAL(int, pthread_mutex_timedlock, pthread_mutex_t *, const struct timespec *)
DEFINE_REAL(int, pthread_mutex_clocklock, pthread_mutex_t *, clockid_t, const struct timespec *)

static uint32_t wait_flags(pthread_mutex_t *m) {
    int k = KIND(m);
    return k == PTHREAD_MUTEX_RECURSIVE ? DEPT_WAIT_RECURSIVE_OK : k == PTHREAD_MUTEX_ERRORCHECK ? DEPT_WAIT_ERRORCHECK : 0;
}

DEPT_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a) {
    int r = __pthread_mutex_init(m, a);
    struct dept_thread *t = dept_enter();
    if (!t) return r;
    int e = errno;
    if (r == 0) dept_fresh_mark((uintptr_t)m, dept_obj_init((uintptr_t)m, DEPT_OBJ_MUTEX, CALLER_PC()).inst, t);
    dept_leave();
    errno = e;
    return r;
}

// The guard is kept across the real destroy, which blocks nowhere and calls
// no hook: entering a second time was a tenth of the hook in a program that
// makes and destroys millions of mutexes.
DEPT_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m) {
    struct dept_thread *t = dept_enter();
    if (!t) return __pthread_mutex_destroy(m);
    int e = errno;
    if (m->__data.__lock != 0) {
        // Destroying a locked mutex is undefined; glibc may still say 0.
        struct dept_obj_ref o = dept_obj_lookup((uintptr_t)m, DEPT_OBJ_MUTEX, CALLER_PC());
        dept_warn(DEPT_WARN_DESTROY_LOCKED, t, o.cls, true);
        errno = e;
    }
    int r = __pthread_mutex_destroy(m);
    if (r == 0) {
        e = errno;
        dept_drop_held(t, (uintptr_t)m);
        dept_sync_forget(dept_obj_destroy((uintptr_t)m));
        errno = e;
    }
    dept_leave();
    return r;
}

// A robust mutex whose owner died holding it: the owner's exit happened
// before this acquisition (a hard edge, PRECISION F4): what the owner
// published into it at its death is known from now on.
static void owner_died(struct dept_thread *t, pthread_mutex_t *m) {
    struct dept_obj_ref o;
    if (dept_obj_find((uintptr_t)m, &o)) dept_clock_acquire_published(t, o);
}

// glibc's pthread_mutex_destroy stores an invalid kind, -1, which makes
// every later lock, trylock and unlock fail with EINVAL until the next
// init: a program that ignores the error runs on without the mutex.
// Memory overwritten with 0xff bytes reads the same (Helgrind's
// tc20_verifywrap), hence the warning's wording.
static bool destroyed(const pthread_mutex_t *m) { return m->__data.__kind == -1; }

// The acquisition itself, once its context is pushed. Uncontended, a
// trylock takes it without telling the hang monitor anything (take);
// contended, the thread is marked blocked around the real call (take_slow).
// Not for robust, priority-inheritance or priority-protect mutexes, whose
// trylock has side effects of its own (glibc leaves a not-recoverable robust
// mutex locked after a failed trylock). On failure the pushed context is
// dropped again.
typedef int (*real_fn)(pthread_mutex_t *, clockid_t, const struct timespec *);

// How an acquisition takes its mutex: the real call, its clock and time-out,
// the operation and the wait flags it adds. Passed by address: acquire()
// then takes few enough arguments for lock_slow to jump to it, and a lock
// of a mutex made a moment ago (its first acquisition always goes there)
// no longer builds a frame of stack arguments on the way.
struct mutex_take {
    real_fn real;
    clockid_t clk;
    const struct timespec *ts;
    uint16_t op;
    uint32_t extra;
};

static __attribute__((noinline)) int take_slow(struct dept_thread *t, pthread_mutex_t *m, int r,
                                               const struct mutex_take *how) {
    uint16_t op = how->op;
    uint32_t extra = how->extra;
    struct dept_held h = dept_pushed_entry(t, (uintptr_t)m);
    struct dept_obj_ref o = { h.cls, h.inst, (uintptr_t)m };
    if (r == EBUSY) {
        dept_block_begin(t, (uintptr_t)m, o, op, DEPT_EV_EXCL | DEPT_EV_SHARED, h.stack,
                         ((extra & DEPT_WAIT_TIMED) ? DEPT_BLOCK_TIMED : 0) | ((m->__data.__kind & 128) ? DEPT_BLOCK_SHARED : 0));
        r = how->real(m, how->clk, how->ts);
        dept_block_end(t);
    }
    if (UNLIKELY(r != 0)) {
        int e = errno;
        dept_tls_guard = 1;
        if (r == EOWNERDEAD) {
            // Held, and owed a pthread_mutex_consistent before its unlock.
            owner_died(t, m);
            struct dept_held *own = dept_held_find(t, (uintptr_t)m);
            if (own) own->flags |= DEPT_HELD_OWNERDEAD;
        } else {
            dept_drop_held(t, (uintptr_t)m);
            if (r == EDEADLK) dept_warn(DEPT_WARN_RELOCK_ERRORCHECK, t, o.cls, true);
            else if (r == EINVAL && destroyed(m)) dept_warn(DEPT_WARN_LOCK_DESTROYED, t, o.cls, true);
        }
        dept_leave();
        errno = e;
    }
    return r;
}

static inline __attribute__((always_inline)) int take(struct dept_thread *t, pthread_mutex_t *m,
                                                      const struct mutex_take *how) {
    int r = LIKELY(default_kind(m)) ? try_default(m, t->os_tid)
            : !(m->__data.__kind & (16 | 32 | 64)) ? __pthread_mutex_trylock(m) : EBUSY;
    if (LIKELY(r == 0)) return 0;
    return take_slow(t, m, r, how);
}

// The clock published into a mutex the thread just took and has not joined
// at its current version (the guard still taken).
static __attribute__((noinline)) int join_published(struct dept_thread *t, struct dept_obj_ref o) {
    int e = errno;
    dept_clock_acquire_published(t, o);
    errno = e;
    dept_leave();
    return 0;
}

// After a successful acquisition of a mutex whose class carries published
// clocks: the thread learns what was published into this one. The guard
// is left already (the real call ran in between).
static void learn_published(struct dept_thread *t, struct dept_obj_ref o) {
    dept_tls_guard = 1;
    if (!dept_clock_knows_published(t, o.inst)) join_published(t, o);
    else dept_leave();
}

// Whether the mutex's own word says nobody holds it: for an unlock of a
// mutex dept has no entry for (unlock_slow), and for a lock of one dept
// counts as held by this thread (acquire). There, the memory was given a
// new mutex without pthread_mutex_init (PTHREAD_MUTEX_INITIALIZER in the
// stack slot of one the program abandoned locked, as Helgrind's
// tc04_free_lock does), so dept's entry is stale, and kept it made this
// lock a wait for itself. The word is the owner's to change: while this
// thread really holds the mutex, nobody else can clear it. A
// priority-protect mutex keeps its ceiling in the word: not judged.
static bool unlocked_in_memory(const pthread_mutex_t *m) {
    return m->__data.__lock == 0 && m->__data.__owner == 0 && !(m->__data.__kind & 64);
}

// The known-table key (known_table.c) of "a thread unlocked this mutex
// instance while another held it".
static uint64_t handed_key(uint32_t inst) { return dept_mix(0x48414e4445440000ull, inst); }

// Whether locking m again while holding it sleeps until another thread
// unlocks it: a normal or adaptive mutex, untimed, not robust, PI or PP (a
// recursive one counts, an error-checking one says EDEADLK).
static bool relock_sleeps(const pthread_mutex_t *m, uint32_t extra) {
    int k = KIND(m);
    return (k == PTHREAD_MUTEX_NORMAL || k == PTHREAD_MUTEX_ADAPTIVE_NP) && !(m->__data.__kind & (16 | 32 | 64))
           && !(extra & DEPT_WAIT_TIMED);
}

// Everything but a cached acquisition, shared by lock, timedlock and
// clocklock. `how` performs the acquisition; `key` is the acquisition
// cache key computed before anything was pushed (0: not cacheable).
// Nothing here changes errno except the real call (slow paths restore it).
static __attribute__((noinline)) int acquire(struct dept_thread *t, pthread_mutex_t *m, uintptr_t pc,
                                             const struct mutex_take *how, uint64_t key) {
    uint16_t op = how->op;
    uint32_t extra = how->extra;
    int32_t own = dept_held_index(t, (uintptr_t)m);
    if (UNLIKELY(own >= 0) && unlocked_in_memory(m)) {
        dept_drop_held(t, (uintptr_t)m);
        own = -1;
    }
    uint64_t gen = dept_acq_gen((uintptr_t)m);
    struct dept_obj_ref o = dept_obj_lookup((uintptr_t)m, DEPT_OBJ_MUTEX, pc);
    uint32_t flags = wait_flags(m) | extra;
    if (UNLIKELY(flags & DEPT_WAIT_RECURSIVE_OK)) {
        int32_t i = dept_held_index(t, (uintptr_t)m);
        if (i >= 0) {
            // A recursive re-lock by the owner never waits.
            dept_leave();
            int r = how->real(m, how->clk, how->ts);
            if (r == 0) t->held[i].count++;
            return r;
        }
    }
    // A wait for a mutex the thread holds itself, innermost, of a kind whose
    // relock sleeps until somebody unlocks it: either nobody will (a
    // self-deadlock: the live monitor proves it, hang_self_relock.c), or
    // another thread unlocks it on the holder's behalf, as a program that
    // uses a mutex as a semaphore does (glibc lets a non-owner unlock a
    // normal mutex: mutex_handed_to_worker.c). Which one is known only once
    // the wait returns or has lasted hang_ms, so the held entry is no
    // context of this wait: the core would take it for a circular
    // dependency at once. When the wait returns, the old hold is over.
    bool self = UNLIKELY(own >= 0) && (uint32_t)own == t->nheld - 1 && relock_sleeps(m, extra);
    uint32_t held_flags = (extra & DEPT_WAIT_TIMED) ? DEPT_HELD_TIMED : 0;
    // What names this acquisition (lock_sites.c): its stack is remembered,
    // and the acquisition cached, under that key, computed before the push.
    uintptr_t named = pc;
    enum dept_lock_site site = dept_lock_site_observe(t, pc, o.cls, &named);
    uint64_t named_key = key && site == DEPT_LOCK_SITE_WRAPPER ? dept_acq_key(t, (uintptr_t)m, op, named) : 0;
    enum dept_fresh fresh = dept_fresh_claim((uintptr_t)m, o.inst, t);
    if (UNLIKELY(fresh == DEPT_FRESH_OWN)) {
        // Nobody else has seen it: held from now on, waited for by nobody
        // (fresh_locks.c). Not cached: the next acquisition is a wait.
        t->acquiring++;
        dept_clock_waited(t, o.inst);
        dept_ecxt_enter(t, (uintptr_t)m, o, DEPT_EV_EXCL, op, held_flags, dept_site_stack(t, o.cls, op, named), pc);
    } else {
        if (UNLIKELY(self)) {
            // Its holder's relock waits for such an unlock when one was seen.
            uint32_t handed_by = 0;
            if (dept_known_get(handed_key(o.inst), &handed_by)) t->held[own].flags |= DEPT_HELD_HANDED;
            t->nheld--;
        }
        uint32_t stack = dept_wait_begin_fast(t, o, DEPT_EV_EXCL | DEPT_EV_SHARED, op, flags, named);
        if (UNLIKELY(self)) t->nheld++;
        t->acquiring++;
        dept_push_fast(t, (uintptr_t)m, o, DEPT_EV_EXCL, op, held_flags, stack, pc);
        // The first acquisition of a mutex since its init is not cached: a
        // mutex made, locked once and destroyed (a request's, a node's)
        // would only push an entry that repeats out of the cache. One that
        // is taken again is cached by its second acquisition. A young
        // site's are not cached; a wrapper's under its call string, and
        // under its site an entry that sends the next one to lock_site.
        if (key && fresh == DEPT_FRESH_NO && !self && !(flags & DEPT_WAIT_RECURSIVE_OK) && !(m->__data.__kind & (16 | 32 | 64))) {
            if (site == DEPT_LOCK_SITE_PLAIN) dept_acq_remember(t, key, gen);
            else if (site == DEPT_LOCK_SITE_WRAPPER) {
                dept_acq_remember(t, named_key, gen);
                dept_acq_remember(t, key, gen | DEPT_ACQ_ATTEND | DEPT_ACQ_SITE);
            }
        }
    }
    dept_leave();
    int r = take(t, m, how);
    t->acquiring--;
    if (UNLIKELY(self) && r == 0) {
        // Unlocked for it meanwhile: the entry below the new one is gone.
        dept_tls_guard = 1;
        if (t->nheld >= 2 && t->held[t->nheld - 2].obj == (uintptr_t)m) dept_held_remove(t, t->nheld - 2);
        dept_leave();
    }
    if (UNLIKELY(r == 0 && dept_class_published(o.cls))) learn_published(t, o);
    return r;
}

static int real_lock(pthread_mutex_t *m, clockid_t c, const struct timespec *ts) {
    (void)c; (void)ts;
    return __pthread_mutex_lock(m);
}
static const struct mutex_take plain_lock = { real_lock, 0, 0, DEPT_OP_LOCK, 0 };

static int real_timed(pthread_mutex_t *m, clockid_t c, const struct timespec *ts) {
    (void)c;
    resolve_pthread_mutex_timedlock();
    return REAL(pthread_mutex_timedlock)(m, ts);
}
static int real_clock(pthread_mutex_t *m, clockid_t c, const struct timespec *ts) {
    resolve_pthread_mutex_clocklock();
    return REAL(pthread_mutex_clocklock)(m, c, ts);
}

// A cached acquisition (the guard taken): its entry pushed, the mutex taken.
// Uncontended, the mutex is taken first and the entry pushed after: a
// locked instruction waits until every store before it is written, and the
// entry's stores, into a line the thread had not touched for a while when
// it holds hundreds of locks, made the mutex's own CAS the slowest part of
// the hook. Nothing can observe the order: the guard keeps a signal
// handler's hooks out, and a thread that does not block is not watched.
// A cached acquisition whose first try (r) did not take the mutex
// (contended, or not a default mutex): the entry is pushed before the
// thread may block.
static inline __attribute__((always_inline)) int lock_known_contended(struct dept_thread *t, pthread_mutex_t *m,
                                                                      const struct dept_acq_entry *e, uint32_t objects,
                                                                      int r, uintptr_t pc, uint32_t flags) {
    t->acquiring++;
    dept_push_known(t, (uintptr_t)m, e, objects, flags, pc);
    dept_leave();
    r = r == EBUSY ? take_slow(t, m, EBUSY, &plain_lock) : take(t, m, &plain_lock);
    t->acquiring--;
    return r;
}

// Apart from lock_known, and reached by a jump: with the call to take_slow
// and the count around it inlined, every cached lock saved and restored
// four registers it only needs when the mutex is contended.
static __attribute__((noinline)) int lock_known_missed(struct dept_thread *t, pthread_mutex_t *m,
                                                       const struct dept_acq_entry *e, uint32_t objects, int r,
                                                       uintptr_t pc) {
    return lock_known_contended(t, m, e, objects, r, pc, 0);
}

static inline __attribute__((always_inline)) int lock_known(struct dept_thread *t, pthread_mutex_t *m,
                                                            const struct dept_acq_entry *e, uint32_t objects,
                                                            uintptr_t pc) {
    int r = LIKELY(default_kind(m)) ? try_default(m, t->os_tid) : -1;
    if (LIKELY(r == 0)) {
        dept_push_known(t, (uintptr_t)m, e, objects, 0, pc);
        dept_leave();
        return 0;
    }
    return lock_known_missed(t, m, e, objects, r, pc);
}

// A lock in code dept does not track (its own allocator's, the Swift
// runtime's): counted, not modelled.
static __attribute__((noinline)) int lock_untracked(pthread_mutex_t *m, uintptr_t pc, struct dept_thread *t) {
    if (t) dept_leave();
    int r = __pthread_mutex_lock(m);
    if (r == 0) dept_untracked_lock(pc, 1);
    return r;
}

// A lock of a thread lock_at could not look up (no record yet, or inside
// dept).
static __attribute__((noinline)) int lock_unknown_thread(pthread_mutex_t *m, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    if (!t) return __pthread_mutex_lock(m);
    return acquire(t, m, pc, &plain_lock, dept_acq_key(t, (uintptr_t)m, DEPT_OP_LOCK, pc));
}

// An acquisition that missed the cache, or of a thread lock_at could not
// look up (t NULL). t, when given, is the caller's record with the guard
// already taken and key its cache key. Only jumps: the first lock of every
// new mutex comes this way.
static __attribute__((noinline)) int lock_slow(pthread_mutex_t *m, uintptr_t pc, struct dept_thread *t, uint64_t key) {
    if (UNLIKELY(dept_untracked_site(pc))) return lock_untracked(m, pc, t);
    if (!t) return lock_unknown_thread(m, pc);
    return acquire(t, m, pc, &plain_lock, key);
}

// The held entry's flags a cached acquisition marked DEPT_ACQ_ATTEND gets.
static inline uint32_t attended_flags(uint64_t gen) {
    return (gen & DEPT_ACQ_COND_CHECK) ? DEPT_HELD_COND_CHECK : 0;
}

// lock_published's other half: the mutex was not taken at the first try.
static __attribute__((noinline)) int lock_published_slow(struct dept_thread *t, pthread_mutex_t *m,
                                                         const struct dept_acq_entry *e, uint32_t objects, int r, uintptr_t pc) {
    // Copied first: once the guard is left, a signal handler may refill e.
    struct dept_obj_ref o = { e->cls, e->inst, (uintptr_t)m };
    uint64_t gen = e->gen;
    r = lock_known_contended(t, m, e, objects, r, pc, attended_flags(gen));
    if (r == 0 && (gen & DEPT_ACQ_CLOCK)) learn_published(t, o);
    return r;
}

// A cached acquisition marked DEPT_ACQ_ATTEND: as lock_known, with the
// held entry marked as a check of a condvar when it is one, and, for a
// mutex that carries a published clock, the clock learnt, as acquire()
// does after its take.
// Taken at the first try, the thread asks whether it knows the clock's
// version before it leaves the guard, and nearly always does: this path is
// every acquisition of the lock a condvar is signalled under (perl's
// threads::shared takes one 2.6M times for 20,000 queue items), and its
// frame, built for the contended case, was a third of it. Its first three
// parameters are lock_attend's and lock_more's, in their registers.
static __attribute__((noinline)) int lock_site(pthread_mutex_t *m, uintptr_t pc, struct dept_thread *t);
static __attribute__((noinline)) int lock_published(pthread_mutex_t *m, uintptr_t pc, struct dept_thread *t,
                                                    const struct dept_acq_entry *e, uint32_t objects) {
    if (UNLIKELY(e->gen & DEPT_ACQ_SITE)) return lock_site(m, pc, t);
    int r = LIKELY(default_kind(m)) ? try_default(m, t->os_tid) : -1;
    if (UNLIKELY(r != 0)) return lock_published_slow(t, m, e, objects, r, pc);
    // Still guarded: e is the entry probed.
    struct dept_obj_ref o = { e->cls, e->inst, (uintptr_t)m };
    uint64_t gen = e->gen;
    dept_push_known(t, (uintptr_t)m, e, objects, attended_flags(gen), pc);
    if (!(gen & DEPT_ACQ_CLOCK) || LIKELY(dept_clock_knows_published(t, o.inst))) {
        dept_leave();
        return 0;
    }
    return join_published(t, o);
}

// After a miss of the first level (and of its published entries): the
// second level, before any other set-up. A thread cycling through more situations than
// the first level holds (thousands of classes, a thousand locks held) finds
// them here. Kept apart from lock_slow, whose frame is much larger. Locks
// of untracked code are never cached, so no range check is needed.
static __attribute__((noinline)) int lock_more(pthread_mutex_t *m, uintptr_t pc, struct dept_thread *t, uint64_t key) {
    bool published = false;
    const struct dept_acq_entry *e = dept_acq_probe_more(t, key, (uintptr_t)m, &published);
    if (!e) return lock_slow(m, pc, t, key);
    if (UNLIKELY(published)) return lock_published(m, pc, t, e, 0);
    return lock_known(t, m, e, 0, pc);
}

// A cached acquisition at a lock wrapper's call site (DEPT_ACQ_SITE): the
// entry under the site only says so; the acquisition is looked up again
// under its call string (lock_sites.c), so that its held entry carries the
// stack of this path through the wrapper, not of the first one.
static __attribute__((noinline)) int lock_site(pthread_mutex_t *m, uintptr_t pc, struct dept_thread *t) {
    uintptr_t named = dept_lock_site_key(t, pc);
    if (named) {
        uint64_t key = dept_acq_key(t, (uintptr_t)m, DEPT_OP_LOCK, named);
        struct dept_acq *a = dept_acq_probe(t, key, (uintptr_t)m);
        if (a) return lock_known(t, m, &a->e, a->objects, pc);
        a = dept_acq_probe_published(t, key, (uintptr_t)m);
        if (a && !(a->e.gen & DEPT_ACQ_SITE)) return lock_published(m, pc, t, &a->e, a->objects);
        bool published = false;
        const struct dept_acq_entry *e = dept_acq_probe_more(t, key, (uintptr_t)m, &published);
        if (e && !published) return lock_known(t, m, e, 0, pc);
        if (e && !(e->gen & DEPT_ACQ_SITE)) return lock_published(m, pc, t, e, 0);
        dept_lock_site_missed(pc);
    }
    return lock_slow(m, pc, t, dept_acq_key(t, (uintptr_t)m, DEPT_OP_LOCK, pc));
}

// The first level's entry has the acquisition's key but not its plain
// generation: it may be one of a mutex with a published clock (a mutex a
// condvar is signalled under, taken far more often than signalled: perl's
// threads::shared), else the second level may know it. gen is the
// mutex's, as lock_probed read it. Small, so that both calls are jumps:
// lock_more's frame was a tenth of such a lock's cost, and doing this in
// lock_at itself made every cached lock save two more registers.
static __attribute__((noinline)) int lock_attend(pthread_mutex_t *m, uintptr_t pc, struct dept_thread *t,
                                                 uint64_t key, uint64_t gen) {
    struct dept_acq *a = &t->acq[key >> 58];
    if (dept_acq_attends(t, a, gen)) return lock_published(m, pc, t, &a->e, a->objects);
    return lock_more(m, pc, t, key);
}

// The probe and what follows it, for a thread whose record is guarded. A
// first-level entry of another key goes straight to the second level; one
// of this key whose generation differs is looked at once more, with the
// generation already read (lock_attend): a lock of a mutex a condvar is
// signalled under asked for both again (published_lock, callgrind: 30
// instructions of the 157 such a lock hook took).
static inline __attribute__((always_inline)) int lock_probed(pthread_mutex_t *m, uintptr_t pc, struct dept_thread *t) {
    uint64_t key = dept_acq_key(t, (uintptr_t)m, DEPT_OP_LOCK, pc);
    struct dept_acq *a = &t->acq[key >> 58];
    if (UNLIKELY(a->key != key)) return lock_more(m, pc, t, key);
    uint64_t gen = dept_acq_gen((uintptr_t)m);
    if (UNLIKELY(!dept_acq_valid_gen(t, a, gen))) return lock_attend(m, pc, t, key, gen);
    return lock_known(t, m, &a->e, a->objects, pc);
}

// Holds another thread may have ended (a semaphore posted on this
// thread's behalf) go before the key names them: the slow path did that
// first, and a cached hit may now happen under a semaphore. Reached by a
// jump, so that lock_at makes no call of its own.
static __attribute__((noinline)) int lock_validated(pthread_mutex_t *m, uintptr_t pc, struct dept_thread *t) {
    dept_held_validate(t);
    return lock_probed(m, pc, t);
}

static inline __attribute__((always_inline)) int lock_at(pthread_mutex_t *m, uintptr_t pc) {
    // One probe answers a known acquisition: same lock, same site, same held
    // chain, no object changed meaning since. Locks of untracked code are
    // never cached (lock_slow filters their sites), so the probe needs no
    // range check.
    struct dept_thread *t = dept_current();
    if (UNLIKELY(!t)) return lock_slow(m, pc, 0, 0);
    // Guarded from the probe on: a signal handler's lock in between would
    // otherwise refill the entry found before it is copied.
    dept_tls_guard = 1;
    if (UNLIKELY(t->sems_held)) return lock_validated(m, pc, t);
    return lock_probed(m, pc, t);
}

DEPT_EXPORT int pthread_mutex_lock(pthread_mutex_t *m) { return lock_at(m, CALLER_PC()); }

static int timedlock_at(pthread_mutex_t *m, const struct timespec *ts, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    if (!t) return real_timed(m, 0, ts);
    struct mutex_take how = { real_timed, 0, ts, DEPT_OP_TIMEDLOCK, DEPT_WAIT_TIMED };
    return acquire(t, m, pc, &how, 0);
}

DEPT_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *ts) {
    return timedlock_at(m, ts, CALLER_PC());
}

DEPT_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t c, const struct timespec *ts) {
    struct dept_thread *t = dept_enter();
    if (!t) return real_clock(m, c, ts);
    struct mutex_take how = { real_clock, c, ts, DEPT_OP_TIMEDLOCK, DEPT_WAIT_TIMED };
    return acquire(t, m, CALLER_PC(), &how, 0);
}

static __attribute__((noinline)) int trylock_full(pthread_mutex_t *m, uintptr_t pc) {
    if (UNLIKELY(dept_untracked_site(pc))) {
        int r = __pthread_mutex_trylock(m);
        if (r == 0) dept_untracked_lock(pc, 1);
        return r;
    }
    struct dept_thread *t = dept_enter();
    if (!t) return __pthread_mutex_trylock(m);
    dept_leave();
    int r = __pthread_mutex_trylock(m);
    if (UNLIKELY(r == EINVAL) && destroyed(m)) {
        int e = errno;
        dept_tls_guard = 1;
        dept_warn(DEPT_WARN_LOCK_DESTROYED, t, dept_obj_lookup((uintptr_t)m, DEPT_OBJ_MUTEX, pc).cls, true);
        dept_leave();
        errno = e;
    }
    if (r == 0 || r == EOWNERDEAD) {
        // No wait (it cannot block); the lock is held: an [S] only. The
        // slow paths keep errno themselves.
        dept_tls_guard = 1;
        if (UNLIKELY(r == EOWNERDEAD)) { int e = errno; owner_died(t, m); errno = e; }
        bool recursive = UNLIKELY(KIND(m) == PTHREAD_MUTEX_RECURSIVE);
        struct dept_held *h = recursive ? dept_held_find(t, (uintptr_t)m) : 0;
        // A trylock that succeeds in a known situation pushes the cached
        // entry, as a known lock does (callgrind, trylock 1 200000 4: the
        // lookup, the claim, the site memo and the chain were 168
        // instructions per trylock, 58% of what dept added to the run).
        uint64_t key = 0;
        const struct dept_acq_entry *e = 0;
        uint32_t objects = 0;
        if (!h && LIKELY(r == 0)) {
            if (UNLIKELY(t->sems_held)) dept_held_validate(t);   // as in lock_at
            key = dept_acq_key(t, (uintptr_t)m, DEPT_OP_TRYLOCK, pc);
            struct dept_acq *a = dept_acq_probe(t, key, (uintptr_t)m);
            if (a) {
                e = &a->e;
                objects = a->objects;
            } else {
                // One the first level gave up to a key of the same slot is
                // in the second, as a lock's is: a lock and a trylock that
                // met there took turns at the uncached path.
                bool published = false;
                e = dept_acq_probe_more(t, key, (uintptr_t)m, &published);
                if (published) e = 0;
            }
        }
        if (h) h->count++;
        else if (e) dept_push_known_try(t, (uintptr_t)m, e, objects, pc);
        else {
            uint64_t gen = dept_acq_gen((uintptr_t)m);
            struct dept_obj_ref o = dept_obj_lookup((uintptr_t)m, DEPT_OBJ_MUTEX, pc);
            // Seen by this thread now: a later lock of the initialising
            // thread is no longer the first acquisition.
            enum dept_fresh fresh = dept_fresh_claim((uintptr_t)m, o.inst, t);
            uint32_t stack = dept_seen_get(t, dept_site_key(o.cls, DEPT_OP_TRYLOCK, pc));
            if (LIKELY(stack)) dept_push_fast(t, (uintptr_t)m, o, DEPT_EV_EXCL, DEPT_OP_TRYLOCK, DEPT_HELD_TRY, stack, pc);
            else dept_ecxt_enter(t, (uintptr_t)m, o, DEPT_EV_EXCL, DEPT_OP_TRYLOCK, DEPT_HELD_TRY, 0, pc);
            if (UNLIKELY(r == EOWNERDEAD) && t->nheld && t->held[t->nheld - 1].obj == (uintptr_t)m)
                t->held[t->nheld - 1].flags |= DEPT_HELD_OWNERDEAD;
            // As acquire() decides for a lock: not the first take since
            // the init, not recursive, robust or priority-protocol.
            else if (key && fresh == DEPT_FRESH_NO && !recursive && !(m->__data.__kind & (16 | 32 | 64)))
                dept_acq_remember(t, key, gen);
            // Taken, the mutex tells what was published into it, as it
            // does a lock (a thread that polls a done flag with trylock
            // and joins the worker holding the mutex:
            // join_after_done_flag_trylock). The cache never answers
            // such a trylock: its entry carries DEPT_ACQ_ATTEND.
            if (UNLIKELY(dept_class_published(o.cls))) dept_clock_acquire_published(t, o);
        }
        dept_leave();
    }
    return r;
}

// A trylock of a default mutex in a situation the first level knows, as
// lock_at answers a lock: the probe, the take done the way glibc does it,
// and the cached entry pushed, in one guarded stretch. Busy, it records
// nothing, as trylock_full does. Everything else (a miss, a semaphore
// held, another kind of mutex, a thread not set up) is trylock_full's.
// With the glibc call and a second guarded stretch, a cached trylock took
// 159 instructions; 87 now, glibc's own trylock 34 (callgrind, `trylock 1
// N 4 1`).
static inline __attribute__((always_inline)) int trylock_at(pthread_mutex_t *m, uintptr_t pc) {
    struct dept_thread *t = dept_current();
    if (UNLIKELY(!t) || UNLIKELY(t->sems_held) || !LIKELY(default_kind(m))) return trylock_full(m, pc);
    dept_tls_guard = 1;
    uint64_t key = dept_acq_key(t, (uintptr_t)m, DEPT_OP_TRYLOCK, pc);
    struct dept_acq *a = dept_acq_probe(t, key, (uintptr_t)m);
    if (UNLIKELY(!a)) {
        dept_leave();
        return trylock_full(m, pc);
    }
    int r = try_default(m, t->os_tid);
    if (LIKELY(r == 0)) dept_push_known_try(t, (uintptr_t)m, &a->e, a->objects, pc);
    dept_leave();
    return r;
}

DEPT_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m) { return trylock_at(m, CALLER_PC()); }

// The release of the top held entry when it ends a check of a condvar's
// predicate (cond_checks.c) and is otherwise what dept_pop_top pops: the
// pop's work, the mutex released the inline way, and the check recorded.
// A consumer's pop where it once waited comes here on every unlock; the
// rest of unlock_slow cost it 60 instructions (callgrind).
// It is dept_release_at's branch for the top entry without the tests
// unlock_missed has made (calling dept_release_at cost 13 instructions
// more per pop).
static int unlock_check_end(struct dept_thread *t, pthread_mutex_t *m, uintptr_t pc) {
    dept_tls_guard = 1;
    struct dept_held *h = &t->held[t->nheld - 1];
    uint32_t cls = h->cls, inst = h->inst;
    uintptr_t site = h->site;
    unlock_default(m);
    t->nheld--;
    dept_cond_check_ended(t, cls, inst, site);
    dept_event_site(t, cls, DEPT_OP_UNLOCK, pc);
    dept_leave();
    return 0;
}

// Everything but the release of the top held entry.
static __attribute__((noinline)) int unlock_slow(pthread_mutex_t *m, uintptr_t pc) {
    if (UNLIKELY(dept_untracked_site(pc))) {
        dept_untracked_lock(pc, -1);
        return __pthread_mutex_unlock(m);
    }
    struct dept_thread *t = dept_enter();
    if (!t) return __pthread_mutex_unlock(m);
    int32_t i = dept_held_index(t, (uintptr_t)m);
    if (UNLIKELY(i < 0)) {
        // Not held by us as far as we know: ask the mutex itself.
        int owner = m->__data.__owner;
        if (unlocked_in_memory(m)) {
            struct dept_obj_ref o = dept_obj_lookup((uintptr_t)m, DEPT_OBJ_MUTEX, pc);
            dept_warn(DEPT_WARN_UNLOCK_NOT_LOCKED, t, o.cls, true);
        } else if (owner != 0 && owner != t->os_tid && !(m->__data.__kind & 128 /* pshared */)) {
            struct dept_obj_ref o = dept_obj_lookup((uintptr_t)m, DEPT_OBJ_MUTEX, pc);
            dept_warn(DEPT_WARN_UNLOCK_NOT_OWNER, t, o.cls, true);
            dept_known_put(handed_key(o.inst), 1, t->tid);
        }
        dept_leave();
        return __pthread_mutex_unlock(m);
    }
    if (UNLIKELY(t->held[i].flags & DEPT_HELD_OWNERDEAD))
        dept_warn(DEPT_WARN_ROBUST_NOT_CONSISTENT, t, t->held[i].cls, true);
    // Release first, bookkeeping after: nothing of ours lengthens the time
    // the mutex is held.
    int r = __pthread_mutex_unlock(m);
    if (LIKELY(r == 0)) dept_release_at(t, (uint32_t)i, DEPT_OP_UNLOCK, pc);
    dept_leave();
    return r;
}

// After dept_pop_top declined: the end of a condvar check, else the full
// path. Small and apart from unlock_slow, whose frame cost such an unlock
// a third of its hook.
static __attribute__((noinline)) int unlock_missed(pthread_mutex_t *m, uintptr_t pc) {
    struct dept_thread *t = dept_current();
    if (t && t->nheld) {
        const struct dept_held *h = &t->held[t->nheld - 1];
        if (h->obj == (uintptr_t)m && h->count == 1 && h->flags == DEPT_HELD_COND_CHECK
            && t->nheld - 1 >= t->takes_watch && default_kind(m))
            return unlock_check_end(t, m, pc);
    }
    return unlock_slow(m, pc);
}

static inline __attribute__((always_inline)) int unlock_at(pthread_mutex_t *m, uintptr_t pc) {
    // The common case: the mutex is the innermost one we hold. Its entry
    // goes first; a mutex we hold cannot fail to unlock.
    if (LIKELY(dept_pop_top((uintptr_t)m))) {
        if (LIKELY(default_kind(m))) {
            unlock_default(m);
            return 0;
        }
        return __pthread_mutex_unlock(m);
    }
    return unlock_missed(m, pc);
}

DEPT_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m) { return unlock_at(m, CALLER_PC()); }

// A robust mutex taken with EOWNERDEAD is held like any other; making it
// consistent only ends the state in which releasing it would leave it
// unusable (ENOTRECOVERABLE for every later locker, which unlock warns of).
DEFINE_REAL(int, pthread_mutex_consistent, pthread_mutex_t *)

DEPT_EXPORT int pthread_mutex_consistent(pthread_mutex_t *m) {
    resolve_pthread_mutex_consistent();
    int r = REAL(pthread_mutex_consistent)(m);
    struct dept_thread *t = r == 0 ? dept_enter() : 0;
    if (t) {
        struct dept_held *h = dept_held_find(t, (uintptr_t)m);
        if (h) h->flags &= ~(uint32_t)DEPT_HELD_OWNERDEAD;
        dept_leave();
    }
    return r;
}

// ---- C11 mutexes (c11_hooks.c): glibc's mtx_t is a pthread_mutex_t, and
// mtx_* are these calls made with the program's own pc.
int dept_mutex_lock_at(pthread_mutex_t *m, uintptr_t pc) { return lock_at(m, pc); }
int dept_mutex_trylock_at(pthread_mutex_t *m, uintptr_t pc) { return trylock_at(m, pc); }
int dept_mutex_timedlock_at(pthread_mutex_t *m, const struct timespec *ts, uintptr_t pc) { return timedlock_at(m, ts, pc); }
int dept_mutex_unlock_at(pthread_mutex_t *m, uintptr_t pc) { return unlock_at(m, pc); }
