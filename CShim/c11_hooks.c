// c11_hooks.c - C11 threads (<threads.h>) in the model, as their pthread
// counterparts: glibc implements each on the same object (mtx_t is a
// pthread_mutex_t, cnd_t a pthread_cond_t, thrd_t a pthread_t) with
// internal calls the pthread hooks never see, so each is interposed here
// and mapped onto the same hook with the program's pc:
//   mtx_lock = [W] + [S], mtx_trylock = [S], mtx_timedlock = timed [W] + [S],
//   mtx_unlock = [E]; cnd_wait(c, m) = [E] of m, [W] on c, [W] + [S] on m;
//   cnd_signal / cnd_broadcast = [E] of c; thrd_create: the body is an event
//   context, thrd_join a [W] for its end; call_once: once_hooks.c.
// Results are glibc's: its error codes mapped onto thrd_* as glibc does.
#include "hook_entries.h"
#include "model_door.h"
#include <errno.h>
#include <threads.h>

_Static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t), "mtx_t is a pthread_mutex_t");
_Static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t), "cnd_t is a pthread_cond_t");
_Static_assert(sizeof(thrd_t) == sizeof(pthread_t), "thrd_t is a pthread_t");

DEFINE_REAL(int, mtx_init, mtx_t *, int)
DEFINE_REAL(void, mtx_destroy, mtx_t *)
DEFINE_REAL(int, cnd_init, cnd_t *)
DEFINE_REAL(void, cnd_destroy, cnd_t *)
DEFINE_REAL(void, thrd_exit, int)

static int thrd_result(int err) {
    switch (err) {
    case 0: return thrd_success;
    case ENOMEM: return thrd_nomem;
    case ETIMEDOUT: return thrd_timedout;
    case EBUSY: return thrd_busy;
    default: return thrd_error;
    }
}

#define M(m) ((pthread_mutex_t *)(m))
#define C(c) ((pthread_cond_t *)(c))

DEPT_EXPORT int mtx_init(mtx_t *m, int type) {
    resolve_mtx_init();
    int r = REAL(mtx_init)(m, type);
    if (r == thrd_success) dept_door_init((uintptr_t)m, DEPT_OBJ_C11_MUTEX, CALLER_PC(), 0, 0);
    return r;
}

DEPT_EXPORT void mtx_destroy(mtx_t *m) {
    resolve_mtx_destroy();
    REAL(mtx_destroy)(m);
    dept_door_destroy((uintptr_t)m);
}

DEPT_EXPORT int mtx_lock(mtx_t *m) { return thrd_result(dept_mutex_lock_at(M(m), CALLER_PC())); }
DEPT_EXPORT int mtx_trylock(mtx_t *m) { return thrd_result(dept_mutex_trylock_at(M(m), CALLER_PC())); }
DEPT_EXPORT int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict ts) {
    return thrd_result(dept_mutex_timedlock_at(M(m), ts, CALLER_PC()));
}
DEPT_EXPORT int mtx_unlock(mtx_t *m) { return thrd_result(dept_mutex_unlock_at(M(m), CALLER_PC())); }

DEPT_EXPORT int cnd_init(cnd_t *c) {
    resolve_cnd_init();
    int r = REAL(cnd_init)(c);
    if (r == thrd_success) dept_door_init((uintptr_t)c, DEPT_OBJ_C11_COND, CALLER_PC(), 0, 0);
    return r;
}

DEPT_EXPORT void cnd_destroy(cnd_t *c) {
    resolve_cnd_destroy();
    REAL(cnd_destroy)(c);
    dept_door_destroy((uintptr_t)c);
}

DEPT_EXPORT int cnd_wait(cnd_t *c, mtx_t *m) { return thrd_result(dept_cond_wait_at(C(c), M(m), 0, CALLER_PC())); }
DEPT_EXPORT int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m, const struct timespec *restrict ts) {
    return thrd_result(dept_cond_wait_at(C(c), M(m), ts, CALLER_PC()));
}
DEPT_EXPORT int cnd_signal(cnd_t *c) { return thrd_result(dept_cond_signal_at(C(c), false, CALLER_PC())); }
DEPT_EXPORT int cnd_broadcast(cnd_t *c) { return thrd_result(dept_cond_signal_at(C(c), true, CALLER_PC())); }

DEPT_EXPORT int thrd_create(thrd_t *th, thrd_start_t fn, void *arg) {
    return thrd_result(dept_thread_create_at((pthread_t *)th, 0, 0, fn, arg, DEPT_OBJ_C11_THREAD, CALLER_PC()));
}

DEPT_EXPORT int thrd_join(thrd_t th, int *res) {
    void *ret = 0;
    int r = dept_thread_join_at((pthread_t)th, &ret, CALLER_PC());
    if (res) *res = (int)(intptr_t)ret;
    return thrd_result(r);
}

// The thread's end is seen by the registry's key destructor, as for
// pthread_exit; interposed so that every C11 entry point is dept's.
DEPT_EXPORT _Noreturn void thrd_exit(int res) {
    resolve_thrd_exit();
    REAL(thrd_exit)(res);
    __builtin_unreachable();
}
