// barrier_hooks.c - pthread barriers in the model. A participant's arrival
// is an event every other participant waits for: the barrier opens with the
// last arrival, so each waiter waits for all of them. pthread_barrier_wait =
//   [E] of the barrier: this arrival. It depends on the waits its thread
//       made during the barrier's current waiting episode (a participant
//       that first waits for a post that another one makes only after the
//       barrier), not on the locks it holds: those it keeps while it waits
//       at the barrier, where they are the wait's dependencies (a lock held
//       across the barrier), and as the arrival's they would only join
//       rounds that cannot overlap (no two participants hold one lock at
//       the same barrier);
//   then [W] on the barrier until it opens.
// A participant that holds lock L at the barrier while another must take L
// before it arrives is found live (every thread blocked: a hang); a lock
// taken and released before an arrival leaves nothing to predict it from.
#include "model_door.h"

DEFINE_REAL(int, pthread_barrier_init, pthread_barrier_t *, const pthread_barrierattr_t *, unsigned)
DEFINE_REAL(int, pthread_barrier_destroy, pthread_barrier_t *)
DEFINE_REAL(int, pthread_barrier_wait, pthread_barrier_t *)

DEPT_EXPORT int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned count) {
    resolve_pthread_barrier_init();
    int r = REAL(pthread_barrier_init)(b, a, count);
    if (r == 0) {
        int pshared = PTHREAD_PROCESS_PRIVATE;
        if (a) pthread_barrierattr_getpshared(a, &pshared);
        dept_door_init((uintptr_t)b, DEPT_OBJ_BARRIER, CALLER_PC(), 0,
                       pshared == PTHREAD_PROCESS_SHARED ? DEPT_DOOR_PSHARED : 0);
    }
    return r;
}

DEPT_EXPORT int pthread_barrier_destroy(pthread_barrier_t *b) {
    resolve_pthread_barrier_destroy();
    int r = REAL(pthread_barrier_destroy)(b);
    if (r == 0) dept_door_destroy((uintptr_t)b);
    return r;
}

DEPT_EXPORT int pthread_barrier_wait(pthread_barrier_t *b) {
    resolve_pthread_barrier_wait();
    uintptr_t pc = CALLER_PC();
    dept_door_event((uintptr_t)b, DEPT_OBJ_BARRIER, DEPT_OP_BARRIER_WAIT, DEPT_EVENT_UNHELD, pc);
    struct dept_door_wait w;
    dept_door_wait_begin(&w, (uintptr_t)b, DEPT_OBJ_BARRIER, DEPT_OP_BARRIER_WAIT, 0, pc);
    int r = REAL(pthread_barrier_wait)(b);
    dept_door_wait_end(&w);
    return r;
}
