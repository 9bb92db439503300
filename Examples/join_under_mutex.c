// dept-example: join_under_mutex
// expect: potential
// objects: M
// summary: The worker locks M before it exits, and main joins the worker while holding M; the worker is let finish with M first (main polls a flag the worker sets after unlocking M, an order dept cannot see: no signal, post or join), so the run completes, but if main held M earlier the join would never return. Only M orders the two, and a mutex is no happens-before edge: the cycle stays (PRECISION R2.4).
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static atomic_int past_m;
static int work;

// The worker's exit ([E] of the join) depends on M: worker-exit -> M.
static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    pthread_mutex_lock(&M);         // [W] M between the worker's start [S] and its exit [E]
    work++;
    pthread_mutex_unlock(&M);
    atomic_store(&past_m, 1);       // tell main we are past M (invisible to dept)
    return NULL;                    // [E] thread exit
}

int main(void)
{
    pthread_t t;
    pthread_setname_np(pthread_self(), "ctx-main");
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load(&past_m)) sched_yield();   // the worker no longer needs M
    pthread_mutex_lock(&M);         // [S] M
    pthread_join(t, NULL);          // [W] worker exit while holding M: M -> worker-exit
    pthread_mutex_unlock(&M);
    printf("join_under_mutex: done %d\n", work);
    return 0;
}
