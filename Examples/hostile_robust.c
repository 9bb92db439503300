// dept-example: hostile_robust
// expect: warning
// objects: R1 R2 R3 shm
// summary: robust mutexes whose owner died holding them: the next locker gets EOWNERDEAD (from lock, from trylock, and while already blocked in lock), calls pthread_mutex_consistent or not (then every later lock returns ENOTRECOVERABLE), and a process-shared robust mutex whose owner process exited; every return code and errno must be exactly as without the preload; at most `DEPT: warning:` lines (a thread exits holding a lock).
//
// Hostile because: EOWNERDEAD is a *successful* acquisition with a non-zero
// return code, ENOTRECOVERABLE a failed one, and the previous owner's
// records belong to a thread (or a process) that no longer exists.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t R1, R2, R3;
static pthread_barrier_t started;

static const char *name(int rc)
{
    switch (rc) {
    case 0: return "0";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    case EBUSY: return "EBUSY";
    case EPERM: return "EPERM";
    case EDEADLK: return "EDEADLK";
    case EINVAL: return "EINVAL";
    default: return "other";
    }
}

// Prints a call's return code and whether errno changed.
#define CALL(label, expr) do { \
        errno = 4242; \
        int rc_ = (expr); \
        printf("  %-28s -> %s%s\n", label, name(rc_), errno == 4242 ? "" : " (errno changed)"); \
        last = rc_; \
    } while (0)

static void init_robust(pthread_mutex_t *m, int pshared)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (pshared) pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
}

static void *dies_holding(void *arg)
{
    pthread_mutex_lock((pthread_mutex_t *)arg);
    return NULL;                          // dies holding it
}

static void *dies_holding_later(void *arg)
{
    pthread_mutex_lock((pthread_mutex_t *)arg);
    pthread_barrier_wait(&started);
    // Give the waiter time to block in pthread_mutex_lock (either way it
    // gets EOWNERDEAD; this only makes the "blocked" path the likely one).
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    pthread_exit(NULL);                   // dies holding it
}

static int waiter_rc, waiter_rc2;
static void *waiter(void *arg)
{
    pthread_mutex_t *m = arg;
    pthread_barrier_wait(&started);
    waiter_rc = pthread_mutex_lock(m);    // blocked while the owner dies
    if (waiter_rc == EOWNERDEAD) pthread_mutex_consistent(m);
    waiter_rc2 = pthread_mutex_unlock(m);
    return NULL;
}

int main(void)
{
    alarm(10);
    int last = 0;
    pthread_t t, w;

    puts("R1: owner thread died, next locker repairs it");
    init_robust(&R1, 0);
    pthread_create(&t, NULL, dies_holding, &R1);
    pthread_join(t, NULL);
    CALL("lock(R1)", pthread_mutex_lock(&R1));
    CALL("consistent(R1)", pthread_mutex_consistent(&R1));
    CALL("unlock(R1)", pthread_mutex_unlock(&R1));
    CALL("lock(R1) again", pthread_mutex_lock(&R1));
    CALL("unlock(R1) again", pthread_mutex_unlock(&R1));

    puts("R2: owner thread died, trylock, no repair");
    init_robust(&R2, 0);
    pthread_create(&t, NULL, dies_holding, &R2);
    pthread_join(t, NULL);
    CALL("trylock(R2)", pthread_mutex_trylock(&R2));
    CALL("unlock(R2) unrepaired", pthread_mutex_unlock(&R2));
    CALL("lock(R2)", pthread_mutex_lock(&R2));
    CALL("lock(R2) again", pthread_mutex_lock(&R2));
    // (glibc's trylock of a not-recoverable mutex leaves it locked: last use.)
    CALL("trylock(R2)", pthread_mutex_trylock(&R2));
    CALL("destroy(R2)", pthread_mutex_destroy(&R2));

    puts("R3: owner dies while another thread waits");
    init_robust(&R3, 0);
    pthread_barrier_init(&started, NULL, 2);
    pthread_create(&t, NULL, dies_holding_later, &R3);
    pthread_create(&w, NULL, waiter, &R3);
    pthread_join(t, NULL);
    pthread_join(w, NULL);
    printf("  %-28s -> %s\n", "waiter lock(R3)", name(waiter_rc));
    printf("  %-28s -> %s\n", "waiter unlock(R3)", name(waiter_rc2));
    CALL("lock(R3)", pthread_mutex_lock(&R3));
    CALL("unlock(R3)", pthread_mutex_unlock(&R3));

    puts("shm: process-shared robust mutex, owner process exited");
    pthread_mutex_t *shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED) { perror("mmap"); return 2; }
    init_robust(shm, 1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(shm);
        exit(0);                          // exits holding it
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    CALL("lock(shm)", pthread_mutex_lock(shm));
    CALL("consistent(shm)", pthread_mutex_consistent(shm));
    CALL("unlock(shm)", pthread_mutex_unlock(shm));
    CALL("lock(shm) again", pthread_mutex_lock(shm));
    CALL("unlock(shm) again", pthread_mutex_unlock(shm));
    (void)last;
    puts("hostile_robust: done");
    return 0;
}
