// dept-example: c11_cnd_outer_lock
// expect: potential
// objects: L cond_c
// summary: C11 threads: a waiter sleeps in cnd_wait on cond_c while holding outer mtx_t L, and a later signaller takes L before cnd_signal; sequenced so it completes, but a signaller that arrives while the waiter waits blocks on L forever.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <threads.h>

static mtx_t L;         // outer lock
static mtx_t CM;        // cond_c's mutex
static cnd_t cond_c;
static int flag;
static thrd_t helper_thr;

// Round 1 helper: does not take L; signals cond_c while the waiter waits.
static int helper(void *arg)
{
    (void)arg;
    mtx_lock(&CM);      // only succeeds once the waiter sleeps in cnd_wait
    flag = 1;
    cnd_signal(&cond_c);
    mtx_unlock(&CM);
    return 0;
}

// Waiter: [W] cond_c while holding L: the [E] of L depends on cond_c.
static int waiter(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    mtx_lock(&L);
    mtx_lock(&CM);
    thrd_create(&helper_thr, helper, NULL);
    while (!flag)
        cnd_wait(&cond_c, &CM);     // really sleeps once
    mtx_unlock(&CM);
    mtx_unlock(&L);
    return 0;
}

// Round 2 signaller: takes L, then signals cond_c: its [E] depends on L.
static int signaller(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    mtx_lock(&L);
    mtx_lock(&CM);
    flag = 1;
    cnd_broadcast(&cond_c);
    mtx_unlock(&CM);
    mtx_unlock(&L);
    return 0;
}

int main(void)
{
    mtx_init(&L, mtx_plain);
    mtx_init(&CM, mtx_plain);
    cnd_init(&cond_c);
    thrd_t t;
    thrd_create(&t, waiter, NULL);      // round 1
    thrd_join(t, NULL);
    thrd_join(helper_thr, NULL);
    flag = 0;
    thrd_create(&t, signaller, NULL);   // round 2
    thrd_join(t, NULL);
    cnd_destroy(&cond_c);
    mtx_destroy(&CM);
    mtx_destroy(&L);
    puts("c11_cnd_outer_lock: done");
    return 0;
}
