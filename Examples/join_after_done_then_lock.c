// dept-example: join_after_done_then_lock
// expect: potential
// objects: L
// summary: The near miss of join_after_done_flag: the worker marks itself done under L and broadcasts, but then takes L once more before it exits. Main holds L while it joins the worker; in this run the worker got through its second critical section first (main polls a flag dept cannot see), but had main taken L in between, the worker would wait for L and main for the worker: the worker's second wait for L did not return before the join was asked for, so the cycle stays.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

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
    pthread_cond_broadcast(&done_cv);
    pthread_mutex_unlock(&L);
    pthread_mutex_lock(&L);             // [W] L again, after the broadcast
    stats++;
    pthread_mutex_unlock(&L);
    atomic_store(&really_done, 1);      // an order dept cannot see
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load(&really_done)) sched_yield();
    pthread_mutex_lock(&L);
    while (!done) pthread_cond_wait(&done_cv, &L);
    pthread_join(t, NULL);              // [W] worker exit while holding L
    pthread_mutex_unlock(&L);
    printf("join_after_done_then_lock: done %ld\n", stats);
    return 0;
}
