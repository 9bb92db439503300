// hook_entries.h - built-in hooks callable with the program's pc, for the
// hooks of APIs that glibc implements on the same objects without going
// through the public pthread functions (C11 threads: mtx_t is a
// pthread_mutex_t, cnd_t a pthread_cond_t, thrd_t a pthread_t). Each does
// what its pthread counterpart does, with `pc` as the call site.
#ifndef DEPT_HOOK_ENTRIES_H
#define DEPT_HOOK_ENTRIES_H
#include "shim.h"
#include <time.h>

// mutex_hooks.c
DEPT_HIDDEN int dept_mutex_lock_at(pthread_mutex_t *m, uintptr_t pc);
DEPT_HIDDEN int dept_mutex_trylock_at(pthread_mutex_t *m, uintptr_t pc);
DEPT_HIDDEN int dept_mutex_timedlock_at(pthread_mutex_t *m, const struct timespec *ts, uintptr_t pc);
DEPT_HIDDEN int dept_mutex_unlock_at(pthread_mutex_t *m, uintptr_t pc);

// cond_hooks.c: an untimed wait when ts is NULL.
DEPT_HIDDEN int dept_cond_wait_at(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *ts, uintptr_t pc);
DEPT_HIDDEN int dept_cond_signal_at(pthread_cond_t *c, bool broadcast, uintptr_t pc);

// thread_hooks.c: a thread whose start routine returns an int (C11) when
// c11_fn is set (fn is then ignored); its object is of `kind`.
DEPT_HIDDEN int dept_thread_create_at(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
                                      int (*c11_fn)(void *), void *arg, uint32_t kind, uintptr_t pc);
DEPT_HIDDEN int dept_thread_join_at(pthread_t th, void **ret, uintptr_t pc);

#endif
