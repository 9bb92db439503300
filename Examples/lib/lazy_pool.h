// lazy_pool.h - a worker pool stopped the way rsyslog's tcpsrv stops it.
// One worker handles items handed to it one at a time by an input thread,
// which waits after each item until the worker reports itself idle (a
// condvar signalled under the pool's mutex). The main thread joins the
// input thread, takes the global lock G, tells the worker to stop and joins
// it while holding G. What the worker does with G is the examples' own
// (after_item, called after the worker handled item n and reported idle,
// and handle_item, called while it handles it). Used by the
// join_under_lock_taken_* examples.
#ifndef EXAMPLES_LAZY_POOL_H
#define EXAMPLES_LAZY_POOL_H
#include <pthread.h>
#include <unistd.h>
#include "in_futex.h"

#define POOL_ITEMS 3

static pthread_mutex_t G = PTHREAD_MUTEX_INITIALIZER;   // rsyslog's mutObjGlobalOp
static pthread_mutex_t pool_mut = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_run = PTHREAD_COND_INITIALIZER, pool_idle = PTHREAD_COND_INITIALIZER;
static int pool_work, pool_busy, pool_stop;

static void handle_item(int n);
static void after_item(int n);

static void *pool_worker(void *arg)
{
    (void)arg;
    int n = 0;
    pthread_mutex_lock(&pool_mut);
    for (;;) {
        while (!pool_work && !pool_stop) pthread_cond_wait(&pool_run, &pool_mut);
        if (!pool_work) break;
        pthread_mutex_unlock(&pool_mut);
        handle_item(++n);
        pthread_mutex_lock(&pool_mut);
        pool_work = 0;
        pool_busy = 0;
        pthread_cond_signal(&pool_idle);
        pthread_mutex_unlock(&pool_mut);
        after_item(n);
        pthread_mutex_lock(&pool_mut);
    }
    pthread_mutex_unlock(&pool_mut);
    // Closing its sessions: still running when the join starts. A fixed
    // sleep was not enough on a loaded machine (main can be descheduled
    // past it before it reaches the join), so wait until main sleeps in
    // the join itself, then a little more.
    until_in_futex(getpid());
    usleep(20 * 1000);
    return NULL;
}

static void *pool_input(void *arg)
{
    (void)arg;
    for (int i = 0; i < POOL_ITEMS; i++) {
        pthread_mutex_lock(&pool_mut);
        pool_work = pool_busy = 1;
        pthread_cond_signal(&pool_run);
        while (pool_busy) pthread_cond_wait(&pool_idle, &pool_mut);
        pthread_mutex_unlock(&pool_mut);
    }
    return NULL;
}

// Runs the pool to its end; before_stop runs after the input thread was
// joined, before main takes G.
static void pool_run_all(void (*before_stop)(void))
{
    pthread_t worker, input;
    pthread_create(&worker, NULL, pool_worker, NULL);
    pthread_create(&input, NULL, pool_input, NULL);
    pthread_join(input, NULL);
    if (before_stop) before_stop();
    pthread_mutex_lock(&G);              // [S] G: unloading a module under the global lock
    pthread_mutex_lock(&pool_mut);
    pool_stop = 1;
    pthread_cond_signal(&pool_run);
    pthread_mutex_unlock(&pool_mut);
    pthread_join(worker, NULL);          // [W] the worker's exit while holding G
    pthread_mutex_unlock(&G);
}
#endif
