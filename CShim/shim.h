// shim.h - internal state of the C shim: per-thread records, the object
// table, real-function pointers and the slow-path entry into the core.
#ifndef DEPT_SHIM_INTERNAL_H
#define DEPT_SHIM_INTERNAL_H

#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include "dept_shim.h"
#include "core_abi.h"

#define DEPT_HIDDEN __attribute__((visibility("hidden")))
#define DEPT_EXPORT __attribute__((visibility("default")))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

// ---- per-thread state --------------------------------------------------

/// Entries of the per-thread "already told the core" cache. Direct-mapped:
/// a collision only costs one more trip to the core, which dedups anyway.
#define DEPT_SEEN_SLOTS 512

/// Inline room for held locks; more grow into mmap'd memory (no cap).
#define DEPT_HELD_INLINE 32

/// A completed or ongoing wait that is not a lock acquisition (semaphore,
/// condvar, eventfd, join): what later events of the thread depend on.
#define DEPT_HISTORY 16
struct dept_hist {
    uint64_t ts;          // wait clock at the start of the wait
    uint32_t cls, inst, stack;
    uint16_t awaits, op;
};

/// A wait made while holding a binary semaphore: it becomes a dependency
/// only if this thread later posts the semaphore itself (then it was a
/// lock); a post by another thread (a hand-off) discards it.
#define DEPT_TENTATIVE 16
#define DEPT_TENTATIVE_GATES 8
struct dept_tentative {
    struct dept_held from;
    struct dept_wait wait;
    uint32_t ngates;
    uint32_t gates[DEPT_TENTATIVE_GATES];
};

struct dept_thread {
    uint32_t tid;                 // dept's own thread number, never reused
    int32_t os_tid;
    uint32_t parent;
    uint32_t create_stack;
    pthread_t self;
    _Atomic int32_t live;         // 1 while the thread runs
    struct dept_thread *next_free;
    struct dept_thread *next_all;

    struct dept_held *held;       // points at held_inline or an mmap'd array
    uint32_t nheld;
    uint32_t held_cap;
    struct dept_held held_inline[DEPT_HELD_INLINE];

    struct dept_hist hist[DEPT_HISTORY];
    uint32_t nhist;               // total pushed; the ring keeps the last DEPT_HISTORY
    uint32_t sems_held;           // DEPT_HELD_SEM entries in held
    struct dept_tentative tentative[DEPT_TENTATIVE];
    uint32_t ntentative;
    uint32_t tentative_dropped;

    // What the thread is blocked in right now (for the hang monitor).
    // blocked_since is written last (release) and cleared to 0 afterwards.
    _Atomic uint64_t blocked_since;   // CLOCK_MONOTONIC_COARSE ns, 0 = not blocked
    uintptr_t blocked_obj;
    uint32_t blocked_cls, blocked_inst, blocked_stack;
    uint16_t blocked_op, blocked_awaits;
    uint32_t blocked_timed;

    uint64_t seen[DEPT_SEEN_SLOTS];
    uint32_t seen_stack[DEPT_SEEN_SLOTS];
};

/// Re-entry guard: non-zero while this thread is inside dept itself (core,
/// bookkeeping, stack capture). Hooks then pass straight through.
DEPT_HIDDEN extern __thread int dept_tls_guard __attribute__((tls_model("initial-exec")));
DEPT_HIDDEN extern __thread struct dept_thread *dept_tls_thread __attribute__((tls_model("initial-exec")));

/// Set once the shim's constructor has run (the Swift runtime it depends on
/// is initialised by then). Before that every hook passes through.
extern _Atomic int dept_ready;
extern _Atomic int dept_disabled;

extern struct dept_config dept_config;

DEPT_HIDDEN struct dept_thread *dept_thread_slow(void);
/// The calling thread's record, or NULL when the hook must pass through.
static inline struct dept_thread *dept_enter(void) {
    if (UNLIKELY(dept_tls_guard)) return 0;
    struct dept_thread *t = dept_tls_thread;
    if (LIKELY((uintptr_t)t > 1)) { dept_tls_guard = 1; return t; }
    if ((uintptr_t)t == 1) return 0;          // thread is exiting: untracked
    if (!atomic_load_explicit(&dept_ready, memory_order_acquire)) return 0;
    if (atomic_load_explicit(&dept_disabled, memory_order_relaxed)) return 0;
    dept_tls_guard = 1;
    t = dept_thread_slow();
    if (!t) { dept_tls_guard = 0; return 0; }
    return t;
}
static inline void dept_leave(void) { dept_tls_guard = 0; }

DEPT_HIDDEN void dept_thread_started(struct dept_thread *t);
DEPT_HIDDEN void dept_thread_finished(struct dept_thread *t);
DEPT_HIDDEN struct dept_held *dept_held_push(struct dept_thread *t);

// ---- the core lock -----------------------------------------------------
// Serialises calls into the Swift core. Slow path only; never held while
// calling out to the loader (stack capture happens before taking it).
DEPT_HIDDEN void dept_core_lock(void);
DEPT_HIDDEN void dept_core_unlock(void);

// ---- objects -----------------------------------------------------------

struct dept_obj_ref {
    uint32_t cls;
    uint32_t inst;
};

/// Looks up (or creates, keyed by `site`) the class and instance of an object.
DEPT_HIDDEN struct dept_obj_ref dept_obj_lookup(uintptr_t addr, uint32_t kind, uintptr_t site);
/// Registers an explicit initialisation: a fresh instance, classed by site.
DEPT_HIDDEN struct dept_obj_ref dept_obj_init(uintptr_t addr, uint32_t kind, uintptr_t site);
/// Forgets an object so a later object at the same address is a new one.
DEPT_HIDDEN void dept_obj_destroy(uintptr_t addr);
/// Lock-free lookup only; false when the address is unknown.
DEPT_HIDDEN bool dept_obj_find(uintptr_t addr, struct dept_obj_ref *out);
/// A fresh instance of the class keyed by an init site, bound to no address.
DEPT_HIDDEN struct dept_obj_ref dept_obj_new(uint32_t kind, uintptr_t site);
/// Binds an address to a given instance (replacing what was there).
DEPT_HIDDEN void dept_obj_bind(uintptr_t addr, struct dept_obj_ref ref);
DEPT_HIDDEN void dept_objects_atfork(int phase);

// ---- stacks ------------------------------------------------------------

/// Captures the caller's stack (skipping dept's own frames) and interns it.
DEPT_HIDDEN uint32_t dept_capture_stack(void);
/// Per-thread memo: returns the stack id remembered for key, or 0.
static inline uint32_t dept_seen_get(struct dept_thread *t, uint64_t key) {
    uint32_t slot = (uint32_t)(key ^ (key >> 29)) & (DEPT_SEEN_SLOTS - 1);
    return t->seen[slot] == key ? t->seen_stack[slot] : 0;
}
static inline void dept_seen_put(struct dept_thread *t, uint64_t key, uint32_t stack) {
    uint32_t slot = (uint32_t)(key ^ (key >> 29)) & (DEPT_SEEN_SLOTS - 1);
    t->seen[slot] = key;
    t->seen_stack[slot] = stack;
}
static inline uint64_t dept_mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}

// ---- the model, as the hooks use it -----------------------------------

/// A wait on an object is about to start (may sleep). Records new
/// dependencies between the held contexts and the awaited event, and runs
/// the cycle check in the core when something new appears.
/// Returns the stack id of this wait ([W], also the [S] of the acquisition).
DEPT_HIDDEN uint32_t dept_wait_begin(struct dept_thread *t, struct dept_obj_ref o, uint16_t awaits,
                                     uint16_t op, uint32_t flags, uintptr_t pc);
/// The thread entered the event context of (o, mode): it now holds it.
DEPT_HIDDEN void dept_ecxt_enter(struct dept_thread *t, uintptr_t addr, struct dept_obj_ref o,
                                 uint16_t mode, uint16_t op, uint32_t flags, uint32_t stack, uintptr_t pc);
/// The event of a held context happened (e.g. unlock). Returns false when the
/// thread did not hold it.
DEPT_HIDDEN bool dept_ecxt_exit(struct dept_thread *t, uintptr_t addr, uint16_t op, uintptr_t pc);
/// Finds a held entry for addr (top-down), or NULL.
DEPT_HIDDEN struct dept_held *dept_held_find(struct dept_thread *t, uintptr_t addr);
DEPT_HIDDEN void dept_drop_held(struct dept_thread *t, uintptr_t addr);
DEPT_HIDDEN void dept_warn(uint32_t kind, struct dept_thread *t, uint32_t cls, bool with_stack);

// ---- waits and events beyond locks (sync_state.c) ----------------------

/// Per-instance state of objects that can be waited on and posted by
/// different threads (condvars, semaphores, eventfds).
struct dept_sync {
    uint32_t inst;
    _Atomic int32_t waiters;       // threads inside a wait on it now
    _Atomic uint64_t window;       // wait clock when the current waiting episode began
    _Atomic uint32_t holder;       // binary semaphore: dept tid of the taker, 0 if none
    _Atomic uint32_t hold_gen;     // bumped on every take and release
    _Atomic uint32_t binary;       // semaphore initialised to 1: used as a lock
    _Atomic uint32_t triggered_by[2]; // the last two threads that triggered its event
};
DEPT_HIDDEN struct dept_sync *dept_sync_get(uint32_t inst);
DEPT_HIDDEN uint64_t dept_wait_clock_tick(void);
DEPT_HIDDEN void dept_sync_wait_begin(struct dept_sync *s, uint64_t ts);
DEPT_HIDDEN void dept_sync_wait_end(struct dept_sync *s);
DEPT_HIDDEN void dept_sync_atfork(int phase);

/// Records a non-lock wait in the thread's history (for the events it
/// triggers later). Returns the wait's timestamp.
DEPT_HIDDEN uint64_t dept_hist_push(struct dept_thread *t, struct dept_obj_ref o, uint32_t stack, uint16_t awaits, uint16_t op);
enum { DEPT_EVENT_RELEASE = 1 };
/// An event on o (post, signal, write, hand-off release): records what it
/// depends on (see model.c for the rules).
DEPT_HIDDEN void dept_event(struct dept_thread *t, struct dept_obj_ref o, uint16_t op, uint32_t flags, uintptr_t pc);
/// The thread posts a binary semaphore it took: its tentative dependencies
/// become real (confirm) or, on a hand-off, are forgotten (!confirm).
DEPT_HIDDEN void dept_tentative_settle(struct dept_thread *t, uint32_t inst, bool confirm);
/// Drops binary-semaphore holds that another thread released meanwhile.
DEPT_HIDDEN void dept_held_validate(struct dept_thread *t);

// ---- blocked waits and the hang monitor (hang_monitor.c) ---------------

DEPT_HIDDEN uint64_t dept_coarse_now_ns(void);
DEPT_HIDDEN void dept_monitor_kick(void);
extern _Atomic int dept_monitor_armed;
/// The thread is about to block in a wait on o.
static inline void dept_block_begin(struct dept_thread *t, uintptr_t obj, struct dept_obj_ref o, uint16_t op,
                                    uint16_t awaits, uint32_t stack, bool timed) {
    t->blocked_obj = obj;
    t->blocked_cls = o.cls;
    t->blocked_inst = o.inst;
    t->blocked_stack = stack;
    t->blocked_op = op;
    t->blocked_awaits = awaits;
    t->blocked_timed = timed;
    atomic_store_explicit(&t->blocked_since, dept_coarse_now_ns() | 1, memory_order_release);
    if (UNLIKELY(!atomic_load_explicit(&dept_monitor_armed, memory_order_relaxed)) && dept_config.detect_hangs)
        dept_monitor_kick();
}
static inline void dept_block_end(struct dept_thread *t) {
    atomic_store_explicit(&t->blocked_since, 0, memory_order_relaxed);
}

// ---- real functions ----------------------------------------------------

DEPT_HIDDEN void *dept_real(const char *name, const char *version);
#define REAL(fn) real_##fn
#define DEFINE_REAL(ret, fn, ...) \
    static ret (*real_##fn)(__VA_ARGS__); \
    static inline void resolve_##fn(void) { if (UNLIKELY(!real_##fn)) real_##fn = (ret (*)(__VA_ARGS__))dept_real(#fn, 0); }

// glibc exports these under a private alias too: binding to them directly
// needs no dlsym, so they work even while dlsym itself is resolving.
extern int __pthread_mutex_lock(pthread_mutex_t *);
extern int __pthread_mutex_trylock(pthread_mutex_t *);
extern int __pthread_mutex_unlock(pthread_mutex_t *);
extern int __pthread_mutex_init(pthread_mutex_t *, const pthread_mutexattr_t *);
extern int __pthread_mutex_destroy(pthread_mutex_t *);
extern int __pthread_rwlock_rdlock(pthread_rwlock_t *);
extern int __pthread_rwlock_wrlock(pthread_rwlock_t *);
extern int __pthread_rwlock_tryrdlock(pthread_rwlock_t *);
extern int __pthread_rwlock_trywrlock(pthread_rwlock_t *);
extern int __pthread_rwlock_unlock(pthread_rwlock_t *);
extern int __pthread_rwlock_init(pthread_rwlock_t *, const pthread_rwlockattr_t *);
extern int __pthread_rwlock_destroy(pthread_rwlock_t *);


#define CALLER_PC() ((uintptr_t)__builtin_return_address(0))

#endif
