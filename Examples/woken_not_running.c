// dept-example: woken_not_running
// expect: silent
// objects: L
// summary: T blocks on mutex L held by main; a tracer process stops T (ptrace), main unlocks L and joins T. For 2.5 s T's wait is over in the kernel (L is free) but T does not run, as a woken thread on a loaded machine may not: dept's books still say T waits for L, main waits for T, and nobody else runs. Only the kernel knows T is not asleep: no hang may be reported. The tracer then lets T go, and it finishes.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/woken_not_running Examples/woken_not_running.c
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "in_futex.h"

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static atomic_int tid_t;

// Until thread `tid` sleeps in the kernel (futex), i.e. inside its wait.
static void until_blocked(atomic_int *tid)
{
    while (!atomic_load(tid)) sched_yield();
    until_in_futex(atomic_load(tid));
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-waiter");
    atomic_store(&tid_t, gettid());
    pthread_mutex_lock(&L);             // sleeps until main unlocks, then is stopped
    pthread_mutex_unlock(&L);
    return NULL;
}

// The tracer: stops thread `tid` of its parent, says so on `ready`, keeps
// it stopped for 2.5 s (2.5 x dept's hang_ms), then lets it go.
static void tracer(pid_t tid, int ready)
{
    char ok = 'y';
    if (ptrace(PTRACE_SEIZE, tid, 0, 0) != 0 || ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) ok = 'n';
    int st;
    if (ok == 'y' && waitpid(tid, &st, __WALL) != tid) ok = 'n';
    (void)!write(ready, &ok, 1);
    if (ok == 'y') {
        struct timespec ts = { 2, 500 * 1000 * 1000 };
        nanosleep(&ts, 0);
        ptrace(PTRACE_DETACH, tid, 0, 0);
    }
    _exit(0);
}

int main(void)
{
    alarm(10);                          // safety only
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    pthread_mutex_lock(&L);
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    until_blocked(&tid_t);
    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid_t pid = fork();
    if (pid == 0) tracer(atomic_load(&tid_t), fds[1]);
    char ok = 'n';
    (void)!read(fds[0], &ok, 1);
    if (ok != 'y') { puts("woken_not_running: ptrace not permitted"); return 1; }
    pthread_mutex_unlock(&L);           // T's wait is over in the kernel; T is stopped
    pthread_join(t, NULL);              // blocked ~2.5 s
    waitpid(pid, 0, 0);
    puts("woken_not_running: done");
    return 0;
}
