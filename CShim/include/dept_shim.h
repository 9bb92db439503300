// dept_shim.h - the seam between the C shim and the Swift runtime/core.
//
// The shim speaks the DEPT model to the core: objects and their classes,
// waits [W], events [E] and event-context starts [S], threads. Primitives
// (mutexes, rwlocks, ...) are mapped onto these few notions in the hooks and
// never leak past this header. Everything declared here is plain data so the
// Swift side can read it without copying.
#ifndef DEPT_SHIM_H
#define DEPT_SHIM_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What an object is, for naming operations in reports.
enum dept_obj_kind {
    DEPT_OBJ_MUTEX = 1,
    DEPT_OBJ_RWLOCK = 2,
    DEPT_OBJ_COND = 3,
    DEPT_OBJ_SEM = 4,
    DEPT_OBJ_EVENTFD = 5,
    DEPT_OBJ_THREAD = 6,
    DEPT_OBJ_SPINLOCK = 7,      // pthread_spinlock_t
    DEPT_OBJ_BARRIER = 8,       // pthread_barrier_t
    DEPT_OBJ_ONCE = 9,          // pthread_once_t
    DEPT_OBJ_C11_MUTEX = 10,    // mtx_t
    DEPT_OBJ_C11_COND = 11,     // cnd_t
    DEPT_OBJ_C11_THREAD = 12,   // thrd_t
    DEPT_OBJ_C11_ONCE = 13,     // once_flag
    DEPT_OBJ_FUTEX = 14,        // a futex word waited on and woken (FUTEX_WAIT / FUTEX_WAKE)
    DEPT_OBJ_FUTEX_PI = 15,     // a priority-inheritance futex lock (FUTEX_LOCK_PI / FUTEX_UNLOCK_PI)
    DEPT_OBJ_ANNOTATED = 16,    // declared through the annotation API (include/dept.h)
};

/// How a class was keyed (DESIGN §4): a static object is its own class, a
/// dynamic one is named by its init site, or by its first use if it was
/// zero-initialised and never passed to an init function.
enum dept_key_kind {
    DEPT_KEY_STATIC = 1,
    DEPT_KEY_INIT_SITE = 2,
    DEPT_KEY_FIRST_USE = 3,
};

/// Which event of an object a held context heads for, or a wait awaits.
/// A lock has two: its release by a writer (exclusive holder) and by a reader.
enum dept_event_mode {
    DEPT_EV_EXCL = 1,     // release by an exclusive holder / the object's only event
    DEPT_EV_SHARED = 2,   // release by a shared (read) holder
};

/// The operation at a [S], [W] or [E] point, for the report text.
enum dept_op {
    DEPT_OP_LOCK = 1,
    DEPT_OP_TRYLOCK = 2,
    DEPT_OP_RDLOCK = 3,
    DEPT_OP_TRYRDLOCK = 4,
    DEPT_OP_WRLOCK = 5,
    DEPT_OP_TRYWRLOCK = 6,
    DEPT_OP_UNLOCK = 7,
    DEPT_OP_TIMEDLOCK = 8,
    DEPT_OP_COND_WAIT = 9,
    DEPT_OP_COND_SIGNAL = 10,
    DEPT_OP_COND_BROADCAST = 11,
    DEPT_OP_SEM_WAIT = 12,
    DEPT_OP_SEM_POST = 13,
    DEPT_OP_EVENTFD_READ = 14,
    DEPT_OP_EVENTFD_WRITE = 15,
    DEPT_OP_JOIN = 16,
    DEPT_OP_THREAD_START = 17,
    DEPT_OP_THREAD_EXIT = 18,
    DEPT_OP_SEM_TRYWAIT = 19,
    DEPT_OP_BARRIER_WAIT = 20,   // arrival [E], wait [W], and the next round's start [S]
    DEPT_OP_ONCE = 21,           // [W] for an initializer's completion
    DEPT_OP_ONCE_INIT = 22,      // [S] the initializer starts
    DEPT_OP_ONCE_DONE = 23,      // [E] the initializer returned
    DEPT_OP_FUTEX_WAIT = 24,
    DEPT_OP_FUTEX_WAKE = 25,
    DEPT_OP_ANN_WAIT = 26,       // annotation API: dept_wait_begin
    DEPT_OP_ANN_EVENT = 27,      // dept_event
    DEPT_OP_ANN_ENTER = 28,      // dept_ecxt_enter
    DEPT_OP_ANN_EXIT = 29,       // dept_ecxt_exit
};

/// One event context the thread is inside of: a held lock (or a taken
/// binary semaphore). Its [S] is the acquisition; its [E] the release.
struct dept_held {
    uintptr_t obj;       // object address (identity only; never dereferenced by the core)
    uint64_t chain;      // hash of the held classes up to and including this entry
    uint32_t cls;        // class id
    uint32_t inst;       // instance id (unique per object lifetime)
    uint32_t stack;      // stack id of the [S] (acquisition)
    uint16_t mode;       // enum dept_event_mode it heads for
    uint16_t op;         // enum dept_op of the acquisition
    uint32_t count;      // recursion depth
    uint32_t flags;      // DEPT_HELD_*
    uint32_t gen;        // binary semaphores: hold generation (stale once handed off)
    uint32_t objects;    // entries of per-object classes up to and including this one (shim only)
    uintptr_t site;      // call site of the acquisition, 0 if none (shim only: cond_checks.c)
};

enum {
    DEPT_HELD_TRY = 1,     // taken by a trylock: never waited for
    DEPT_HELD_TIMED = 2,   // taken by a timed lock
    // A context the thread is in by running, not by holding something: its
    // own body ([S] thread start, [E] exit), an initializer (pthread_once:
    // [E] its return) or a barrier round ([S] return from the barrier, [E]
    // the next arrival). Its holder is who its waiters wait for; it is no
    // gate and no lock held at exit.
    DEPT_HELD_THREAD = 4,
    DEPT_HELD_SEM = 8,     // a binary semaphore taken as a lock
    DEPT_HELD_FUTEX = 16,  // a futex lock: held while its word names the thread (released unseen otherwise)
    DEPT_HELD_OWNERDEAD = 32,  // a robust mutex taken with EOWNERDEAD, not made consistent yet
    // Set only in what an event passes to the core: the thread fired this
    // event's object on its way into this context (EventRules, rule 1).
    DEPT_HELD_ANNOUNCED = 64,
    // Set only in what an event passes to the core: the event releases a
    // futex-word lock, and this context was entered before its thread took
    // that lock, or when it took it is unknown (EventRules, rule 1).
    DEPT_HELD_BEFORE_TAKE = 128,
    // Set only in what an event passes to the core: the event is a futex
    // wake whose take was unseen, on a word not known to be a lock yet: its
    // dependency on this context is kept, marked (EventRules, rule 1).
    DEPT_HELD_UNSURE_TAKE = 256,
    // Shim only: a mutex taken at a call site where its thread, or another,
    // waited on a condvar with a mutex of its class: its critical section
    // checks that condvar's predicate (cond_checks.c).
    DEPT_HELD_COND_CHECK = 512,
    // Set only in what an event passes to the core: the event is a condvar
    // signal by a thread that checked that condvar's predicate after it
    // entered this context, at the site dept_event.check names (EventRules,
    // rule 1; CycleJudge.conditionLockRule).
    DEPT_HELD_BEFORE_CHECK = 1024,
    // Shim only: a mutex its thread waits to take again while another
    // thread, which unlocked it on a holder's behalf before, may do so now
    // (mutex_hooks.c): not the proof of a self-deadlock that a held lock is
    // (hang_monitor.c leaves it out of the live snapshot).
    DEPT_HELD_HANDED = 2048,
};

/// A wait that is starting.
struct dept_wait {
    uint32_t cls;
    uint32_t inst;
    uint32_t stack;       // stack id of the [W]
    uint16_t awaits;      // bit set of enum dept_event_mode that can wake it
    uint16_t op;          // enum dept_op
    uint32_t flags;       // DEPT_WAIT_*
    uint32_t check;       // a condvar wait: its predicate check's site (cond_checks.c), else 0
    uint32_t woke;        // a wait for a signal/post/write: class whose sleepers its thread woke since its last such wait, else 0
    uintptr_t obj;        // the awaited object's address (orders instances of one class)
    uint64_t started;     // wait clock at its start, for a wait for a signal/post/write/exit (0: not told)
};

enum {
    DEPT_WAIT_TIMED = 1,         // has a timeout: never part of a deadlock
    DEPT_WAIT_RECURSIVE_OK = 2,  // the object is a recursive mutex
    DEPT_WAIT_ERRORCHECK = 4,    // relocking returns EDEADLK instead of hanging
};

/// A point of a thread's clock (DeptCore/HappensBefore.swift): its clock
/// slot and its time there. time 0 means unknown.
struct dept_epoch {
    uint32_t slot;
    uint32_t time;
};

/// An event triggered by a thread that may not own the object (a post, a
/// signal, an eventfd write, or a release on another thread's behalf).
struct dept_event {
    uint32_t cls;
    uint32_t inst;
    uint32_t stack;       // stack id of the [E]
    uint16_t op;          // enum dept_op
    uint16_t release;     // bit 0: a binary semaphore released on its taker's behalf;
                          // bit 1: the object was created holding tokens (count > 0)
    struct dept_epoch at; // the triggering thread's clock at the event
    uintptr_t site;       // the call site of the signal, post or write
    uint32_t check;       // a condvar signal: the site of its thread's last check of it (DEPT_HELD_BEFORE_CHECK)
    uint32_t after;       // class of its thread's last wait for a signal, post or write (timed too), else 0
};


/// A recent non-lock wait of the thread (semaphore, condvar, eventfd, join).
struct dept_history_view {
    uint64_t ts;          // wait clock when it started
    uint32_t cls, inst, stack;
    uint16_t awaits, op;
    struct dept_epoch returned;     // when it returned (time 0: it has not)
    struct dept_epoch sat[2];       // what may have ended it
    uint32_t nsat;                  // 0: unknown or nothing
    struct dept_epoch at;           // the thread's own clock when it started
    uint32_t request;               // for a join: its interned clock (0: only `at` is known)
};

/// A thread as the hang monitor saw it.
struct dept_live_thread {
    uint32_t tid;
    int32_t os_tid;
    uint64_t blocked_ms;
    uint32_t blocked;         // 1 if inside an intercepted wait
    uint32_t cls, inst, stack;
    uint16_t op, awaits;
    uint32_t timed;
    uint32_t held_offset;     // its held contexts: held[held_offset ..< +nheld]
    uint32_t nheld;
};

/// Who can end waits on an object besides lock owners.
struct dept_waker {
    uint32_t inst;
    uint32_t tid;
    uint32_t kind;            // DEPT_WAKER_*
};
enum {
    DEPT_WAKER_HOLDER = 1,
    DEPT_WAKER_TRIGGER = 2,
    // tid holds the binary semaphore inst, which no taker has posted yet:
    // not known to be a lock, so any thread may post it (hang_monitor.c).
    DEPT_WAKER_UNPROVEN_HOLDER = 3,
};
enum { DEPT_VERDICT_NONE = 0, DEPT_VERDICT_DEADLOCK = 1, DEPT_VERDICT_HANG = 2, DEPT_VERDICT_STALL = 3 };

/// Options the shim needs on its own paths, filled by the core at start-up.
struct dept_config {
    int32_t detect_potential;
    int32_t detect_hangs;
    int32_t stack_depth;
    int32_t verbosity;
    int32_t hang_ms;
    int32_t stall_ms;
    int32_t exitcode;
    int32_t on_hang;          // 0 report, 1 exit, 2 abort
    int32_t unwinder;         // 0 GCC's _Unwind_Backtrace, 1 libunwind, 2 cached CFI (cfi_unwinder.c)
};

// ---- Services the shim offers the Swift runtime (callable from Swift) ----

/// The current configuration (written once at start-up by the core).
struct dept_config *dept_shim_config(void);
/// Returns the number of modules, mapped and unloaded, and fills up to cap
/// entries: the mapped ones first. `unloaded` is 0 for a mapped module, and
/// for an unloaded one a number that grows with each unload, its latest:
/// where several lay at one address, the one unloaded last names it.
struct dept_module { uintptr_t base; uintptr_t end; const char *path; uint8_t build_id[20]; uint32_t build_id_len;
                     uint32_t unloaded; };
uint32_t dept_shim_modules(struct dept_module *out, uint32_t cap);

/// Loads libunwind for `unwinder=libunwind` (CShim/unwinder.c): 1, or 0
/// when libunwind8 is not installed.
int dept_shim_load_libunwind(void);

/// dladdr: the nearest dynamic symbol at or below addr (NULL if none).
const char *dept_shim_symbol_at(uintptr_t addr, uintptr_t *symbol_addr);

/// The epoch of dept thread `tid`'s latest wait while it runs (clocks.h);
/// returns 0 when no such thread runs.
int dept_shim_thread_last_wait(uint32_t tid, struct dept_epoch *out);
/// The epoch of dept thread `tid`'s latest wait on instance `inst` while it
/// runs, or later (a wait on another object of the same bucket; see
/// clk_waited_at); returns 0 when no such thread runs.
int dept_shim_thread_waited_at(uint32_t tid, uint32_t inst, struct dept_epoch *out);
/// The exported (.dynsym) symbol whose extent holds addr (NULL if none):
/// names for stripped modules without a debug file.
const char *dept_shim_symbol_holding(uintptr_t addr, uintptr_t *symbol_addr);
/// The path libdept.so was loaded from.
const char *dept_shim_self_path(void);

/// Tells the shim that the core queued output: the next release of the core
/// lock prints it (outside the lock).
void dept_shim_mark_pending(void);
/// The core lock, for the core's own snapshot-taking outside a shim call.
void dept_shim_core_lock(void);
void dept_shim_core_unlock_noflush(void);
/// Serialises report output between threads.
void dept_shim_report_lock(void);
void dept_shim_report_unlock(void);

/// Same-class nesting the core no longer needs to hear about
/// (SameClassNesting.Hint): instance pairs of class `cls` whose address
/// direction is in `skip` are answered from the memos.
enum { DEPT_SAME_SKIP_UP = 1, DEPT_SAME_SKIP_DOWN = 2 };
void dept_shim_same_class_hint(uint32_t cls, uint32_t skip);

enum dept_warning_kind {
    DEPT_WARN_UNLOCK_NOT_OWNER = 1,
    DEPT_WARN_UNLOCK_NOT_LOCKED = 2,
    DEPT_WARN_DESTROY_LOCKED = 3,
    DEPT_WARN_EXIT_HOLDING = 4,
    DEPT_WARN_RELOCK_ERRORCHECK = 5,
    DEPT_WARN_TABLE_FULL = 6,
    DEPT_WARN_ROBUST_NOT_CONSISTENT = 7,
    DEPT_WARN_COND_WAIT_UNHELD = 8,
    DEPT_WARN_LOCK_DESTROYED = 9,
    DEPT_WARN_SEM_INIT_FAILED = 10,
    DEPT_WARN_SEM_POST_FAILED = 11,
};

#ifdef __cplusplus
}
#endif
#endif
