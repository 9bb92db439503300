// model_door.h - the model by address: one call per hook event.
//
// The hooks of the primitives beyond the pthread basics (spinlocks,
// barriers, once, C11 threads, futexes) and the public annotation API
// (annotate.c, include/dept.h) reach the model through these calls and no
// other, as a custom primitive in the kernel's DEPT uses exactly what the
// built-in ones use. Each call takes the object's address, its kind, the
// operation, flags and the caller's pc, and finds the calling thread and
// the object's class itself. A call made where dept cannot record (inside
// dept, before start-up, in an exiting thread, or under a lock of the Swift
// runtime) records nothing. No call changes errno.
//
// Vocabulary (dept_shim.h): a wait [W] may sleep until an event of its
// object; an event context [S]..[E] is what a thread is inside of until it
// triggers its object's event (a held lock until its release, an
// initializer until it returns).
#ifndef DEPT_MODEL_DOOR_H
#define DEPT_MODEL_DOOR_H
#include "shim.h"

enum {
    /// wait: a lock acquisition. It awaits the release of a holder (no
    /// history entry, no waiting episode); its [S] is this wait's stack.
    DEPT_DOOR_LOCK = 1,
    /// wait and enter: shared (read) mode: a shared acquisition waits for
    /// exclusive holders only, and holds the context in shared mode.
    DEPT_DOOR_SHARED = 2,
    /// wait: can time out (never part of a deadlock); enter: taken so.
    DEPT_DOOR_TIMED = 4,
    /// wait: another process may end it (no hang verdict).
    DEPT_DOOR_PSHARED = 8,
    /// wait: recorded ("might sleep") but the thread is not marked blocked:
    /// the call cannot sleep this time (a pthread_once already done).
    DEPT_DOOR_NO_SLEEP = 16,
    /// enter: taken without waiting (trylock).
    DEPT_DOOR_TRY = 32,
    /// enter: a context of running (DEPT_HELD_THREAD): an initializer, a
    /// barrier round.
    DEPT_DOOR_PROGRESS = 64,
    /// enter: a futex lock, held while its word names the thread.
    DEPT_DOOR_FUTEX = 128,
    /// wait: a priority-inheritance futex whose word names its owner (the
    /// hang monitor reads it).
    DEPT_DOOR_PI = 256,
    /// enter: re-entering a context the thread already holds counts it once
    /// more (recursive locks).
    DEPT_DOOR_RECURSIVE = 512,
    /// wait: look up whether init marked the object process-shared (event
    /// waits always do; a lock wait only when asked, it costs a lookup).
    DEPT_DOOR_ASK_PSHARED = 1024,
    /// wait: the thread may run while it waits (spins), so the kernel's
    /// view of it says nothing about whether it is stuck.
    DEPT_DOOR_SPINS = 2048,
};

/// A wait in progress, kept by the caller from begin to end.
struct dept_door_wait {
    struct dept_thread *t;     // NULL: nothing was recorded
    struct dept_sync *sync;    // its waiting episode, if any
    struct dept_obj_ref o;
    uint32_t stack;            // the [W] stack (also the [S] of a lock it acquires)
    uint32_t flags;
};

/// A wait on obj starts: records its dependencies and marks the thread
/// blocked in it (unless DEPT_DOOR_NO_SLEEP). Returns whether it was recorded.
DEPT_HIDDEN bool dept_door_wait_begin(struct dept_door_wait *w, uintptr_t obj, uint32_t kind, uint16_t op,
                                      uint32_t flags, uintptr_t pc);
/// The wait returned (however it ended).
DEPT_HIDDEN void dept_door_wait_end(struct dept_door_wait *w);
/// The thread entered obj's event context ([S]); `stack` is the [S] stack
/// (a lock's wait stack) or 0 to capture this site's.
DEPT_HIDDEN void dept_door_ecxt_enter(uintptr_t obj, uint32_t kind, uint16_t op, uint32_t flags, uint32_t stack,
                                      uintptr_t pc);
/// A lock taken at once (it never slept): its wait and then its context, in
/// one step. `flags` as for the wait (DEPT_DOOR_LOCK, DEPT_DOOR_SHARED).
DEPT_HIDDEN void dept_door_acquired(uintptr_t obj, uint32_t kind, uint16_t op, uint32_t flags, uintptr_t pc);
/// The event of a context the thread holds happened (a release); false when
/// it did not hold one for obj.
DEPT_HIDDEN bool dept_door_ecxt_exit(uintptr_t obj, uint16_t op, uintptr_t pc);
/// An event on obj by a thread that need not hold it (a signal, a wake, an
/// arrival, a completion). `flags`: DEPT_EVENT_* (shim.h). A FUTEX_WAKE may
/// be the release of a futex-word lock instead (lock_takes.c).
DEPT_HIDDEN void dept_door_event(uintptr_t obj, uint32_t kind, uint16_t op, uint32_t flags, uintptr_t pc);
/// w, a FUTEX_WAIT, returned (after dept_door_wait_end): the thread may have
/// taken its word as a lock.
DEPT_HIDDEN void dept_door_futex_woken(const struct dept_door_wait *w);
/// obj begins a life: a fresh instance, classed by `site` (an init call) or,
/// when `key` is not 0, by the static object at key (named by its symbol).
/// DEPT_DOOR_PSHARED: it is shared with other processes, so no wait on it is
/// ever proven stuck.
DEPT_HIDDEN void dept_door_init(uintptr_t obj, uint32_t kind, uintptr_t site, uintptr_t key, uint32_t flags);
/// The class and instance of obj (created, classed by `pc`, on first use);
/// zeros where dept cannot record.
DEPT_HIDDEN struct dept_obj_ref dept_door_object(uintptr_t obj, uint32_t kind, uintptr_t pc);
/// obj's life ended: the caller no longer holds it, and a later object at
/// its address is a new one.
DEPT_HIDDEN void dept_door_destroy(uintptr_t obj);

#endif
