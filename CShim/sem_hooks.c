// sem_hooks.c - POSIX semaphores in the model:
//   sem_wait       = [W] on the semaphore (even when it returns at once)
//   sem_post       = [E] of the semaphore
//   sem_trywait    = no wait; timed/clock waits never form a deadlock
// A semaphore initialised to 1 is a binary semaphore: a successful wait
// takes it like a lock ([S]); its taker's later post releases it like an
// unlock; a post by another thread releases it on the taker's behalf
// (hand-off), after which the taker no longer holds it.
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <time.h>

DEFINE_REAL(int, sem_init, sem_t *, int, unsigned)
DEFINE_REAL(int, sem_destroy, sem_t *)
DEFINE_REAL(int, sem_wait, sem_t *)
DEFINE_REAL(int, sem_trywait, sem_t *)
DEFINE_REAL(int, sem_timedwait, sem_t *, const struct timespec *)
DEFINE_REAL(int, sem_clockwait, sem_t *, clockid_t, const struct timespec *)
DEFINE_REAL(int, sem_post, sem_t *)
DEFINE_REAL(int, sem_close, sem_t *)
static sem_t *(*real_sem_open)(const char *, int, ...);

static void mark_binary(struct dept_obj_ref o, unsigned value, int pshared) {
    struct dept_sync *s = dept_sync_get(o.inst);
    if (s) {
        atomic_store(&s->binary, value == 1);
        atomic_store(&s->pshared, pshared != 0);
        atomic_store(&s->tokens, value > 0);
    }
}

DEPT_EXPORT int sem_init(sem_t *s, int pshared, unsigned value) {
    resolve_sem_init();
    int r = REAL(sem_init)(s, pshared, value);
    struct dept_thread *t = dept_enter();
    if (!t) return r;
    int e = errno;
    if (r == 0) {
        mark_binary(dept_obj_init((uintptr_t)s, DEPT_OBJ_SEM, CALLER_PC()), value, pshared);
        // Made with no token: its maker counts as its taker (lock_takes.c).
        if (value == 0) dept_take_seen(t, (uintptr_t)s);
        else dept_take_forget(t, (uintptr_t)s);
    }
    // A failed init (EINVAL: a count above SEM_VALUE_MAX) leaves memory
    // that is no semaphore, and a program that ignores the error waits
    // and posts on it (Helgrind's tc18_semabuse). Named by its init site,
    // as the class its later waits and posts then find.
    else dept_warn(DEPT_WARN_SEM_INIT_FAILED, t, dept_obj_init((uintptr_t)s, DEPT_OBJ_SEM, CALLER_PC()).cls, true);
    dept_leave();
    errno = e;
    return r;
}

DEPT_EXPORT sem_t *sem_open(const char *name, int oflag, ...) {
    if (!real_sem_open) real_sem_open = (sem_t *(*)(const char *, int, ...))dept_real("sem_open", 0);
    mode_t mode = 0;
    unsigned value = 0;
    if (oflag & O_CREAT) {
        va_list ap;
        va_start(ap, oflag);
        mode = va_arg(ap, mode_t);
        value = va_arg(ap, unsigned);
        va_end(ap);
    }
    sem_t *s = (oflag & O_CREAT) ? real_sem_open(name, oflag, mode, value) : real_sem_open(name, oflag);
    struct dept_thread *t = dept_enter();
    if (!t) return s;
    int e = errno;
    if (s != SEM_FAILED) mark_binary(dept_obj_init((uintptr_t)s, DEPT_OBJ_SEM, CALLER_PC()), (oflag & O_CREAT) ? value : 0, 1);
    dept_leave();
    errno = e;
    return s;
}

static void forget(sem_t *s) {
    struct dept_thread *t = dept_enter();
    if (!t) return;
    int e = errno;
    dept_drop_held(t, (uintptr_t)s);
    dept_take_forget(t, (uintptr_t)s);
    dept_sync_forget(dept_obj_destroy((uintptr_t)s));
    dept_leave();
    errno = e;
}

DEPT_EXPORT int sem_destroy(sem_t *s) {
    resolve_sem_destroy();
    int r = REAL(sem_destroy)(s);
    if (r == 0) forget(s);
    return r;
}

DEPT_EXPORT int sem_close(sem_t *s) {
    resolve_sem_close();
    forget(s);
    return REAL(sem_close)(s);
}

enum { UNTIMED, TRY, TIMED, CLOCK };

// The semaphore's count: glibc keeps it in the low 32 bits of the sem_t's
// first word (with 64-bit atomics; the waiters' count above it). Read as a
// wait starts, it says how many tokens a wait that nothing is posted to
// meanwhile can take from (dept_clock_found_tokens, and
// dept_clock_acquire_episode for a wait that went to sleep).
static uint32_t tokens(sem_t *s) {
    return (uint32_t)__atomic_load_n((const uint64_t *)(const void *)s, __ATOMIC_RELAXED);
}

static int call_real(int how, sem_t *s, clockid_t c, const struct timespec *ts) {
    switch (how) {
    case UNTIMED: resolve_sem_wait(); return REAL(sem_wait)(s);
    case TRY: resolve_sem_trywait(); return REAL(sem_trywait)(s);
    case TIMED: resolve_sem_timedwait(); return REAL(sem_timedwait)(s, ts);
    default: resolve_sem_clockwait(); return REAL(sem_clockwait)(s, c, ts);
    }
}

static void took(struct dept_thread *t, sem_t *s, struct dept_obj_ref o, struct dept_sync *sy,
                 uint32_t flags, uint32_t stack, uint16_t op, uintptr_t pc) {
    dept_ecxt_enter(t, (uintptr_t)s, o, DEPT_EV_EXCL, op, DEPT_HELD_SEM | flags, stack, pc);
    struct dept_held *h = &t->held[t->nheld - 1];
    if (h->obj == (uintptr_t)s) {
        h->gen = atomic_fetch_add(&sy->hold_gen, 1) + 1;
        atomic_store(&sy->holder, t->tid);
        t->sems_held++;
    }
}

// The hold of a binary semaphore is over, whoever ended it: holds taken
// before are stale (dept_held_validate), and it has no holder for the live
// monitor.
static void hold_over(struct dept_sync *sy) {
    atomic_fetch_add(&sy->hold_gen, 1);
    atomic_store(&sy->holder, 0);
}

// The stack of an untimed wait that found a token. A work queue's consumer
// takes its semaphore in the same situation item after item: the
// situation's key (its held chain, class, call site) and the lookup of its
// stack were a third of the take hook (sem_queue, callgrind: 111 of its
// 334 instructions). The thread's memo entry of the semaphore keeps the
// last answer with the call site and held chain it was asked under; the
// same three give the same key, which dept_wait_begin_fast answers from
// the thread's seen memo with nothing else done but the wait clock's step.
// Not while a semaphore is held: such waits are settled elsewhere.
static uint32_t found_stack(struct dept_thread *t, struct dept_sync_memo *m, struct dept_obj_ref o, uintptr_t pc) {
    uint64_t chain = t->nheld ? t->held[t->nheld - 1].chain : DEPT_CHAIN_SEED;
    // A take after waking a thread is another situation, as its key says.
    uint32_t woke = t->nheld ? dept_woke_for(t, DEPT_OP_SEM_WAIT) : 0;
    if (UNLIKELY(woke)) chain = dept_mix(chain, woke);
    // The entry is the memo's to move on any lookup of another object:
    // still this semaphore's, or not used (the key names the class).
    bool plain = m && m->addr == o.addr && !t->sems_held && dept_config.detect_potential;
    if (plain && m->wait_pc == pc && m->wait_chain == chain) {
        dept_clock_waited(t, o.inst);
        return m->wait_stack;
    }
    uint32_t stack = dept_wait_begin_fast(t, o, DEPT_EV_EXCL, DEPT_OP_SEM_WAIT, 0, pc);
    if (plain && stack && m->addr == o.addr) {
        m->wait_pc = pc;
        m->wait_chain = chain;
        m->wait_stack = stack;
    }
    return stack;
}

static int wait_common(int how, sem_t *s, clockid_t c, const struct timespec *ts, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    if (!t) return call_real(how, s, c, ts);
    int e = errno;
    struct dept_obj_ref o;
    struct dept_sync_memo *memo;
    struct dept_sync *sy = dept_sync_lookup_memo(t, (uintptr_t)s, DEPT_OBJ_SEM, pc, &o, &memo);
    bool binary = sy && atomic_load(&sy->binary);
    if (binary && dept_held_find(t, (uintptr_t)s)) {
        // Waiting for a semaphore we took: someone else is expected to post
        // it (a hand-off in progress), not a self-deadlock. Its takes are no
        // holds from now on: the one this wait ends in would be held for
        // good by a thread that drops the semaphore then, as Python's
        // Condition does with each waiter's lock (a semaphore in PyPy).
        // Those stayed among the thread's contexts, a few more after every
        // wait, and made every later event a new situation for the core.
        // Nor is the taker its owner any longer, for the live monitor: any
        // thread may post it now, and the taker waits for that. Left as its
        // holder, the taker was the only thread that could wake itself, a
        // deadlock of one thread as soon as the post took hang_ms: every
        // Python thread that waited a second for an Event, a Condition or a
        // Queue was killed (sem_handoff_slow_post.c).
        atomic_store(&sy->handed, 1);
        hold_over(sy);
        dept_tentative_settle(t, o.inst, false);
        dept_drop_held(t, (uintptr_t)s);
    }
    uint32_t stack = 0;
    uint16_t op = how == TRY ? DEPT_OP_SEM_TRYWAIT : DEPT_OP_SEM_WAIT;
    // A token is there: take it without blocking, as glibc's sem_wait
    // does first, and record a wait that found it. Joining the waiting
    // episode wrote the record's shared line four times (waiters, window,
    // the episode's end) for a wait no post can be waited on by.
    // Its tokens are counted only for a counting semaphore of this process:
    // another process's posts are not noted here, and a binary semaphore's
    // wait is a lock acquisition, no history, so what ended it is not kept.
    bool counted = !binary && sy && !atomic_load(&sy->pshared);
    uint32_t ready = how == UNTIMED && counted ? tokens(s) : 0;
    if (ready) {
        resolve_sem_trywait();
        if (REAL(sem_trywait)(s) == 0) {
            stack = found_stack(t, memo, o, pc);
            dept_sync_wait_found(t, o, sy, stack, DEPT_OP_SEM_WAIT, ready);
            dept_take_seen(t, (uintptr_t)s);
            dept_leave();
            errno = e;
            return 0;
        }
    }
    struct dept_sync_wait sw = { 0, 0, 0, 0, 0 };
    if (how != TRY) {
        stack = dept_wait_begin_fast(t, o, DEPT_EV_EXCL, DEPT_OP_SEM_WAIT, how == UNTIMED ? 0 : DEPT_WAIT_TIMED, pc);
        // A binary semaphore's wait is a lock acquisition, not history.
        if (how != UNTIMED && !binary) dept_waited_for_event(t, o.cls);
        if (how == UNTIMED) {
            sw = dept_sync_wait_enter(t, o, sy, stack, DEPT_OP_SEM_WAIT, !binary);
            // Read again once the wait has joined the episode.
            sw.ready = counted ? tokens(s) : 0;
        }
    }
    if (how != TRY)
        dept_block_begin(t, (uintptr_t)s, o, DEPT_OP_SEM_WAIT, DEPT_EV_EXCL, stack,
                         (how != UNTIMED ? DEPT_BLOCK_TIMED : 0) | (sy && atomic_load(&sy->pshared) ? DEPT_BLOCK_SHARED : 0));
    dept_leave();
    errno = e;
    int r = call_real(how, s, c, ts);
    e = errno;
    dept_tls_guard = 1;
    dept_block_end(t);
    if (how == UNTIMED) dept_sync_wait_leave(t, &sw);
    if (r == 0 && binary && !atomic_load_explicit(&sy->handed, memory_order_relaxed))
        took(t, s, o, sy, how == TRY ? DEPT_HELD_TRY : how == UNTIMED ? 0 : DEPT_HELD_TIMED, stack, op, pc);
    else if (r == 0)
        dept_take_seen(t, (uintptr_t)s);   // its post may give back this token (lock_takes.c)
    dept_leave();
    errno = e;
    return r;
}

// A cancellation point even when it does not block (POSIX; glibc tests
// first): the hook may take a token without calling sem_wait.
DEPT_EXPORT int sem_wait(sem_t *s) {
    pthread_testcancel();
    return wait_common(UNTIMED, s, 0, 0, CALLER_PC());
}
DEPT_EXPORT int sem_trywait(sem_t *s) { return wait_common(TRY, s, 0, 0, CALLER_PC()); }
DEPT_EXPORT int sem_timedwait(sem_t *s, const struct timespec *ts) { return wait_common(TIMED, s, 0, ts, CALLER_PC()); }
DEPT_EXPORT int sem_clockwait(sem_t *s, clockid_t c, const struct timespec *ts) { return wait_common(CLOCK, s, c, ts, CALLER_PC()); }

DEPT_EXPORT int sem_post(sem_t *s) {
    resolve_sem_post();
    struct dept_thread *t = dept_enter();
    if (!t) return REAL(sem_post)(s);
    int e = errno;
    uintptr_t pc = CALLER_PC();
    struct dept_obj_ref o;
    struct dept_sync *sy = dept_sync_lookup(t, (uintptr_t)s, DEPT_OBJ_SEM, pc, &o);
    if (sy && atomic_load(&sy->binary)) {
        if (t->sems_held) dept_held_validate(t);
        if (dept_held_find(t, (uintptr_t)s)) {
            // The taker releases it: it was used as a lock.
            if (!atomic_load_explicit(&sy->lock_proven, memory_order_relaxed)) atomic_store(&sy->lock_proven, 1);
            dept_tentative_settle(t, o.inst, true);
            dept_ecxt_exit(t, (uintptr_t)s, DEPT_OP_SEM_POST, pc);
            hold_over(sy);
        } else if (atomic_load(&sy->holder)) {
            // Released on the taker's behalf.
            hold_over(sy);
            dept_event(t, o, sy, DEPT_OP_SEM_POST, DEPT_EVENT_RELEASE, pc, 0);
        } else {
            dept_event(t, o, sy, DEPT_OP_SEM_POST, 0, pc, 0);
        }
    } else {
        bool marked = dept_sem_mark_before_take(t, (uintptr_t)s);
        dept_event(t, o, sy, DEPT_OP_SEM_POST, 0, pc, 0);
        if (marked) dept_take_unmark(t);
    }
    dept_leave();
    errno = e;
    int r = REAL(sem_post)(s);
    // EOVERFLOW: the count is at SEM_VALUE_MAX, so this post is lost: posts
    // that no wait consumes, or memory that is no semaphore. The event was
    // recorded before the post (it must precede the waiter it wakes); a
    // lost one only adds a dependency that a real post would have made.
    if (UNLIKELY(r != 0)) {
        e = errno;
        if ((t = dept_enter())) {
            dept_warn(DEPT_WARN_SEM_POST_FAILED, t, o.cls, true);
            dept_leave();
        }
        errno = e;
    }
    return r;
}
