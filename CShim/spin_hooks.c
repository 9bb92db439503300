// spin_hooks.c - pthread spinlocks in the model, as locks:
//   pthread_spin_lock    = [W] on the lock, then [S] of its unlock; while it
//                          spins on a lock another thread holds, the thread
//                          counts as blocked (it cannot progress either)
//   pthread_spin_trylock = [S] only (it cannot block)
//   pthread_spin_unlock  = [E]
// A spinlock initialised PTHREAD_PROCESS_SHARED may be held by another
// process: a thread spinning on it is never proven stuck.
#include "model_door.h"

DEFINE_REAL(int, pthread_spin_init, pthread_spinlock_t *, int)
DEFINE_REAL(int, pthread_spin_destroy, pthread_spinlock_t *)
DEFINE_REAL(int, pthread_spin_lock, pthread_spinlock_t *)
DEFINE_REAL(int, pthread_spin_trylock, pthread_spinlock_t *)
DEFINE_REAL(int, pthread_spin_unlock, pthread_spinlock_t *)

DEPT_EXPORT int pthread_spin_init(pthread_spinlock_t *s, int pshared) {
    resolve_pthread_spin_init();
    int r = REAL(pthread_spin_init)(s, pshared);
    if (r == 0)
        dept_door_init((uintptr_t)s, DEPT_OBJ_SPINLOCK, CALLER_PC(), 0,
                       pshared == PTHREAD_PROCESS_SHARED ? DEPT_DOOR_PSHARED : 0);
    return r;
}

DEPT_EXPORT int pthread_spin_destroy(pthread_spinlock_t *s) {
    resolve_pthread_spin_destroy();
    int r = REAL(pthread_spin_destroy)(s);
    if (r == 0) dept_door_destroy((uintptr_t)s);
    return r;
}

DEPT_EXPORT int pthread_spin_lock(pthread_spinlock_t *s) {
    resolve_pthread_spin_lock();
    resolve_pthread_spin_trylock();
    uintptr_t pc = CALLER_PC();
    struct dept_door_wait w;
    // Free: taken at once, the thread never spun (no blocked mark). Busy:
    // blocked around the real spin.
    int r = REAL(pthread_spin_trylock)(s);
    if (LIKELY(r == 0)) {
        dept_door_acquired((uintptr_t)s, DEPT_OBJ_SPINLOCK, DEPT_OP_LOCK, DEPT_DOOR_LOCK, pc);
        return 0;
    }
    dept_door_wait_begin(&w, (uintptr_t)s, DEPT_OBJ_SPINLOCK, DEPT_OP_LOCK, DEPT_DOOR_LOCK | DEPT_DOOR_ASK_PSHARED | DEPT_DOOR_SPINS, pc);
    r = REAL(pthread_spin_lock)(s);
    dept_door_wait_end(&w);
    if (r == 0 && w.t) dept_door_ecxt_enter((uintptr_t)s, DEPT_OBJ_SPINLOCK, DEPT_OP_LOCK, 0, w.stack, pc);
    return r;
}

DEPT_EXPORT int pthread_spin_trylock(pthread_spinlock_t *s) {
    resolve_pthread_spin_trylock();
    int r = REAL(pthread_spin_trylock)(s);
    if (r == 0) dept_door_ecxt_enter((uintptr_t)s, DEPT_OBJ_SPINLOCK, DEPT_OP_TRYLOCK, DEPT_DOOR_TRY, 0, CALLER_PC());
    return r;
}

DEPT_EXPORT int pthread_spin_unlock(pthread_spinlock_t *s) {
    resolve_pthread_spin_unlock();
    // Release first: nothing of ours lengthens the time it is held.
    int r = REAL(pthread_spin_unlock)(s);
    if (r == 0) dept_door_ecxt_exit((uintptr_t)s, DEPT_OP_UNLOCK, CALLER_PC());
    return r;
}
