// cond_hooks.c - condition variables in the model:
//   pthread_cond_wait(c, m) = [E] of m (released), [W] on c, then [W]+[S] on m
//   pthread_cond_signal/broadcast(c) = [E] of c
//   timed/clock waits: never a dependency (they cannot hang forever)
// glibc exports two versions of each function (GLIBC_2.2.5 for binaries
// built against the pre-2002 condvar layout, GLIBC_2.3.2 for the rest);
// both are interposed and each forwards to its own real version.
#include "hook_entries.h"
#include "clocks.h"
#include <errno.h>
#include <time.h>

typedef int (*wait_fn)(pthread_cond_t *, pthread_mutex_t *);
typedef int (*timedwait_fn)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
typedef int (*clockwait_fn)(pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *);
typedef int (*simple_fn)(pthread_cond_t *);
typedef int (*init_fn)(pthread_cond_t *, const pthread_condattr_t *);

enum { NEW = 0, OLD = 1 };
static const char *versions[2] = { "GLIBC_2.3.2", "GLIBC_2.2.5" };
static wait_fn real_wait[2];
static timedwait_fn real_timedwait[2];
static clockwait_fn real_clockwait;
static simple_fn real_signal[2], real_broadcast[2], real_destroy[2];
static init_fn real_init[2];

#define RESOLVE(var, name, v) do { if (UNLIKELY(!var[v])) var[v] = (__typeof__(var[v]))dept_real(name, versions[v]); } while (0)

struct wait_ctx {
    struct dept_thread *t;
    pthread_mutex_t *m;
    struct dept_obj_ref om;
    struct dept_sync_wait wait;
    uintptr_t pc;
    int untimed;
    /// The mutex is not the thread's after the call: glibc refused the
    /// wait (an error-checking mutex the thread does not own: EPERM)
    /// without taking it, and the thread did not hold it before.
    bool not_taken;
    /// Where the thread took the mutex before it waited, which the wait
    /// makes a check site of the condvar (cond_checks.c), and that site;
    /// 0 when there is none (a wrapper, or the mutex not held).
    uintptr_t site;
    uint32_t check;
    uint32_t cond_cls;
    /// The real wait returned (0 or ETIMEDOUT): it did wait.
    bool waited;
    /// A timed wait's condvar record, counted in its timed_waiters while
    /// the thread sleeps (a signal then wakes someone: CycleJudge.wokeRule).
    struct dept_sync *timed;
    uint32_t timed_inst;
    /// A recursive mutex the thread held more than once: glibc's wait
    /// drops one level of it and the mutex stays locked while the thread
    /// sleeps, so the wait is made holding it, and taking it back never
    /// blocks (APR's nested_wait test: a self-deadlock was reported at the
    /// re-take, and a signaller that needs the mutex was not seen to).
    bool kept;
};

// After the real wait (or when it is cancelled: glibc's own cleanup has
// re-taken the mutex by then): the mutex is held again.
static void reacquired(void *arg) {
    struct wait_ctx *w = arg;
    int g = dept_tls_guard;
    dept_tls_guard = 1;
    dept_block_end(w->t);
    if (w->untimed) dept_sync_wait_leave(w->t, &w->wait);
    // Not if the record was given to another object meanwhile (its
    // condvar destroyed under the wait): it counts that object's waiters.
    if (w->timed && w->timed->inst == w->timed_inst)
        atomic_fetch_sub_explicit(&w->timed->timed_waiters, 1, memory_order_relaxed);
    if (w->not_taken) { dept_tls_guard = g; return; }
    if (w->kept) {
        struct dept_held *k = dept_held_find(w->t, (uintptr_t)w->m);
        if (k) k->count++;
        dept_tls_guard = g;
        return;
    }
    uint32_t stack = dept_wait_begin_fast(w->t, w->om, DEPT_EV_EXCL | DEPT_EV_SHARED, DEPT_OP_LOCK, 0, w->pc);
    dept_ecxt_enter(w->t, (uintptr_t)w->m, w->om, DEPT_EV_EXCL, DEPT_OP_LOCK, 0, stack, w->pc);
    // Still inside the check the wait was part of: it ends with the
    // mutex's release, as if taken where it was before the wait. A wait
    // glibc refused makes no check site.
    struct dept_held *h = w->t->nheld ? &w->t->held[w->t->nheld - 1] : 0;
    if (w->waited && w->check && h && h->obj == (uintptr_t)w->m
        && dept_cond_check_learn(w->check, w->cond_cls, w->om.cls)) {
        h->site = w->site;
        h->flags |= DEPT_HELD_COND_CHECK;
    }
    dept_clock_acquire_published(w->t, w->om);
    dept_tls_guard = g;
}

static int wait_common(int ver, int how, pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk,
                       const struct timespec *ts, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    if (how == 0) RESOLVE(real_wait, "pthread_cond_wait", ver);
    else if (how == 1) RESOLVE(real_timedwait, "pthread_cond_timedwait", ver);
    else if (UNLIKELY(!real_clockwait)) real_clockwait = (clockwait_fn)dept_real("pthread_cond_clockwait", 0);
    if (!t) {
        return how == 0 ? real_wait[ver](c, m) : how == 1 ? real_timedwait[ver](c, m, ts) : real_clockwait(c, m, clk, ts);
    }
    int e = errno;
    struct wait_ctx w = { t, m, dept_obj_lookup((uintptr_t)m, DEPT_OBJ_MUTEX, pc), { 0, 0, 0 }, pc, how == 0, false,
                          0, 0, 0, false, 0, 0, false };
    // A timed wait joins no waiting episode; its record only counts it
    // among the condvar's sleepers.
    struct dept_obj_ref oc;
    struct dept_sync *sc = dept_sync_lookup(t, (uintptr_t)c, DEPT_OBJ_COND, pc, &oc);
    if (!w.untimed) {
        w.timed = sc;
        sc = 0;
    }
    // glibc's wait unlocks whatever mutex it is given, held or not, and
    // takes it when it returns: a thread that waits with a mutex it does
    // not hold takes it from its owner (Helgrind's tc23_bogus_condwait).
    // The mutex's word names its owner when dept's own entries do not (a
    // mutex locked before dept started).
    // The section the thread waits in checks the condvar's predicate, and
    // so does every later one begun where it took the mutex (learnt once
    // the wait returns). The check is not over while it sleeps: its
    // entry's release here is no end of it.
    int32_t mi = dept_held_index(t, (uintptr_t)m);
    w.kept = mi >= 0 && t->held[mi].count > 1;
    if (mi >= 0 && !w.kept) {
        t->held[mi].flags &= ~(uint32_t)DEPT_HELD_COND_CHECK;
        w.check = dept_cond_check_candidate(t, w.om.cls, t->held[mi].site, pc);
        w.site = w.check ? t->held[mi].site : 0;
        w.cond_cls = oc.cls;
    }
    // A signal gives back a check's take only if its condvar waits with the
    // mutex the check was made with.
    if (sc && atomic_load_explicit(&sc->partner, memory_order_relaxed) != w.om.inst)
        atomic_store_explicit(&sc->partner, w.om.inst, memory_order_relaxed);
    bool held = w.kept;
    if (w.kept) t->held[mi].count--;
    else held = dept_ecxt_exit(t, (uintptr_t)m, DEPT_OP_COND_WAIT, pc);
    if (!held && m->__data.__owner != t->os_tid) dept_warn(DEPT_WARN_COND_WAIT_UNHELD, t, w.om.cls, true);
    t->wait_check = w.check;
    uint32_t stack = dept_wait_begin_fast(t, oc, DEPT_EV_EXCL, DEPT_OP_COND_WAIT, w.untimed ? 0 : DEPT_WAIT_TIMED, pc);
    t->wait_check = 0;
    if (w.untimed) w.wait = dept_sync_wait_enter(t, oc, sc, stack, DEPT_OP_COND_WAIT, true);
    else dept_waited_for_event(t, oc.cls);
    if (w.timed) {
        w.timed_inst = oc.inst;
        atomic_fetch_add_explicit(&w.timed->timed_waiters, 1, memory_order_relaxed);
    }
    dept_block_begin(t, (uintptr_t)c, oc, DEPT_OP_COND_WAIT, DEPT_EV_EXCL, stack,
                     (w.untimed ? 0 : DEPT_BLOCK_TIMED) | ((m->__data.__kind & 128) ? DEPT_BLOCK_SHARED : 0));
    dept_leave();
    errno = e;
    int r;
    pthread_cleanup_push(reacquired, &w);
    r = how == 0 ? real_wait[ver](c, m) : how == 1 ? real_timedwait[ver](c, m, ts) : real_clockwait(c, m, clk, ts);
    pthread_cleanup_pop(0);
    e = errno;
    // A wait glibc refused leaves the mutex as it was (EINVAL: a bad time,
    // checked before the unlock; EPERM: an error-checking mutex the
    // thread does not own). Held before: held still, pushed back below.
    if (r != 0 && r != ETIMEDOUT && !held) w.not_taken = true;
    w.waited = r == 0 || r == ETIMEDOUT;
    reacquired(&w);
    errno = e;
    return r;
}

static int signal_common(int ver, int broadcast, pthread_cond_t *c, uintptr_t pc) {
    if (broadcast) RESOLVE(real_broadcast, "pthread_cond_broadcast", ver);
    else RESOLVE(real_signal, "pthread_cond_signal", ver);
    struct dept_thread *t = dept_enter();
    if (t) {
        int e = errno;
        struct dept_obj_ref oc;
        struct dept_sync *sc = dept_sync_lookup(t, (uintptr_t)c, DEPT_OBJ_COND, pc, &oc);
        // Given back after a check of the condvar in an earlier section?
        uint32_t partner = sc ? atomic_load_explicit(&sc->partner, memory_order_relaxed) : 0;
        uint32_t check = dept_cond_mark_before_check(t, partner, oc.cls);
        dept_event(t, oc, sc, broadcast ? DEPT_OP_COND_BROADCAST : DEPT_OP_COND_SIGNAL, 0, pc, check);
        if (check) dept_take_unmark(t);
        dept_leave();
        errno = e;
    }
    return broadcast ? real_broadcast[ver](c) : real_signal[ver](c);
}

static int init_common(int ver, pthread_cond_t *c, const pthread_condattr_t *a, uintptr_t pc) {
    RESOLVE(real_init, "pthread_cond_init", ver);
    int r = real_init[ver](c, a);
    struct dept_thread *t = dept_enter();
    if (t) {
        int e = errno;
        if (r == 0) dept_obj_init((uintptr_t)c, DEPT_OBJ_COND, pc);
        dept_leave();
        errno = e;
    }
    return r;
}

static int destroy_common(int ver, pthread_cond_t *c) {
    RESOLVE(real_destroy, "pthread_cond_destroy", ver);
    int r = real_destroy[ver](c);
    struct dept_thread *t = dept_enter();
    if (t) {
        int e = errno;
        if (r == 0) dept_sync_forget(dept_obj_destroy((uintptr_t)c));
        dept_leave();
        errno = e;
    }
    return r;
}

#define VERSIONED(ret, name, params, args, newimpl, oldimpl) \
    DEPT_EXPORT ret dept_##name##_new params { return newimpl; } \
    DEPT_EXPORT ret dept_##name##_old params { return oldimpl; } \
    __asm__(".symver dept_" #name "_new, " #name "@@GLIBC_2.3.2"); \
    __asm__(".symver dept_" #name "_old, " #name "@GLIBC_2.2.5");

VERSIONED(int, pthread_cond_wait, (pthread_cond_t *c, pthread_mutex_t *m), (c, m),
          wait_common(NEW, 0, c, m, 0, 0, CALLER_PC()), wait_common(OLD, 0, c, m, 0, 0, CALLER_PC()))
VERSIONED(int, pthread_cond_timedwait, (pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *ts), (c, m, ts),
          wait_common(NEW, 1, c, m, 0, ts, CALLER_PC()), wait_common(OLD, 1, c, m, 0, ts, CALLER_PC()))
VERSIONED(int, pthread_cond_signal, (pthread_cond_t *c), (c),
          signal_common(NEW, 0, c, CALLER_PC()), signal_common(OLD, 0, c, CALLER_PC()))
VERSIONED(int, pthread_cond_broadcast, (pthread_cond_t *c), (c),
          signal_common(NEW, 1, c, CALLER_PC()), signal_common(OLD, 1, c, CALLER_PC()))
VERSIONED(int, pthread_cond_init, (pthread_cond_t *c, const pthread_condattr_t *a), (c, a),
          init_common(NEW, c, a, CALLER_PC()), init_common(OLD, c, a, CALLER_PC()))
VERSIONED(int, pthread_cond_destroy, (pthread_cond_t *c), (c),
          destroy_common(NEW, c), destroy_common(OLD, c))

// Only one version exists (GLIBC_2.30, re-exported as 2.34).
DEPT_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *ts) {
    return wait_common(NEW, 2, c, m, clk, ts, CALLER_PC());
}

// C11 condition variables (c11_hooks.c): a cnd_t is a pthread_cond_t, and
// cnd_wait / cnd_timedwait / cnd_signal / cnd_broadcast are the current
// versions of these calls, made with the program's pc.
int dept_cond_wait_at(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *ts, uintptr_t pc) {
    return wait_common(NEW, ts ? 1 : 0, c, m, 0, ts, pc);
}
int dept_cond_signal_at(pthread_cond_t *c, bool broadcast, uintptr_t pc) {
    return signal_common(NEW, broadcast, c, pc);
}
