// dept-example: join_after_done_trylock_then_lock
// expect: potential
// objects: L
// summary: The near miss of join_after_done_flag_trylock: the worker marks itself done under L and broadcasts, but then takes L once more before it exits. Main takes L only with trylock and joins the worker holding it; in this run the worker got through its second critical section first (main polls a flag dept cannot see), but had main taken L in between, the worker would wait for L and main for the worker: what main's trylock learned through L says nothing of the worker's second wait for L, so the cycle stays.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int done;
static long stats;
static atomic_int really_done;

static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    pthread_mutex_lock(&L);
    done = 1;
    pthread_cond_broadcast(&done_cv);   // publishes the worker's clock into L
    pthread_mutex_unlock(&L);
    pthread_mutex_lock(&L);             // [W] L again, after the broadcast
    stats++;
    pthread_mutex_unlock(&L);
    atomic_store(&really_done, 1);      // an order dept cannot see
    return NULL;
}

int main(void)
{
    alarm(10);                          // never hang for more than 10 s
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load(&really_done)) sched_yield();
    for (;;) {
        if (pthread_mutex_trylock(&L) == 0) {
            if (done) break;
            pthread_mutex_unlock(&L);
        }
        sched_yield();
    }
    pthread_join(t, NULL);              // [W] worker exit while holding L
    pthread_mutex_unlock(&L);
    printf("join_after_done_trylock_then_lock: done %ld\n", stats);
    return 0;
}
