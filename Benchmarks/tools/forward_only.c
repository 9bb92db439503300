// forward_only.c - the floor of interposition, for Scripts/bench's "fwd"
// column: a preload that interposes the calls the lock-phase and ping-pong
// workloads make and does nothing but call the next definition (resolved
// once, at load). What a workload loses under it is what any LD_PRELOAD
// tool that sees these calls loses on this machine, before doing any work:
// the extra call and indirect jump, and, in the ping-pongs, how that shifts
// the timing of every wake-up.
//
// build: cc -O2 -shared -fPIC -o forward_only.so forward_only.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <unistd.h>

#define FORWARD(ret, name, params, args)                                  \
    static ret(*next_##name) params;                                      \
    __attribute__((visibility("default"))) ret name params { return next_##name args; }

FORWARD(int, pthread_mutex_lock, (pthread_mutex_t *m), (m))
FORWARD(int, pthread_mutex_trylock, (pthread_mutex_t *m), (m))
FORWARD(int, pthread_mutex_unlock, (pthread_mutex_t *m), (m))
FORWARD(int, pthread_rwlock_rdlock, (pthread_rwlock_t *l), (l))
FORWARD(int, pthread_rwlock_wrlock, (pthread_rwlock_t *l), (l))
FORWARD(int, pthread_rwlock_unlock, (pthread_rwlock_t *l), (l))
FORWARD(int, pthread_cond_wait, (pthread_cond_t *c, pthread_mutex_t *m), (c, m))
FORWARD(int, pthread_cond_signal, (pthread_cond_t *c), (c))
FORWARD(int, sem_wait, (sem_t *s), (s))
FORWARD(int, sem_post, (sem_t *s), (s))
FORWARD(ssize_t, read, (int fd, void *buf, size_t n), (fd, buf, n))
FORWARD(ssize_t, write, (int fd, const void *buf, size_t n), (fd, buf, n))

__attribute__((constructor)) static void resolve(void) {
    // pthread_cond_* have two versions in glibc; the default one is what a
    // program linked today gets.
    next_pthread_cond_wait = dlvsym(RTLD_NEXT, "pthread_cond_wait", "GLIBC_2.3.2");
    next_pthread_cond_signal = dlvsym(RTLD_NEXT, "pthread_cond_signal", "GLIBC_2.3.2");
    if (!next_pthread_cond_wait) next_pthread_cond_wait = dlsym(RTLD_NEXT, "pthread_cond_wait");
    if (!next_pthread_cond_signal) next_pthread_cond_signal = dlsym(RTLD_NEXT, "pthread_cond_signal");
    next_pthread_mutex_lock = dlsym(RTLD_NEXT, "pthread_mutex_lock");
    next_pthread_mutex_trylock = dlsym(RTLD_NEXT, "pthread_mutex_trylock");
    next_pthread_mutex_unlock = dlsym(RTLD_NEXT, "pthread_mutex_unlock");
    next_pthread_rwlock_rdlock = dlsym(RTLD_NEXT, "pthread_rwlock_rdlock");
    next_pthread_rwlock_wrlock = dlsym(RTLD_NEXT, "pthread_rwlock_wrlock");
    next_pthread_rwlock_unlock = dlsym(RTLD_NEXT, "pthread_rwlock_unlock");
    next_sem_wait = dlsym(RTLD_NEXT, "sem_wait");
    next_sem_post = dlsym(RTLD_NEXT, "sem_post");
    next_read = dlsym(RTLD_NEXT, "read");
    next_write = dlsym(RTLD_NEXT, "write");
}
