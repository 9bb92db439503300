// dept-example: cond_outer_lock
// expect: potential
// objects: L cond_c
// summary: A waiter sleeps on condvar cond_c while holding outer mutex L, and a signaller takes L before signalling cond_c; sequenced so it completes, but a signaller that arrives while the waiter waits blocks on L forever.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;      // outer lock
static pthread_mutex_t CM = PTHREAD_MUTEX_INITIALIZER;     // cond_c's mutex
static pthread_cond_t cond_c = PTHREAD_COND_INITIALIZER;
static int flag;
static pthread_t helper_tid;

// Round 1 helper: does not take L; signals cond_c while the waiter waits.
static void *helper(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-helper");
    pthread_mutex_lock(&CM);        // only succeeds once the waiter sleeps in cond_wait
    flag = 1;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    return NULL;
}

// Waiter: [W] cond_c while holding L: the [E] of L depends on cond_c.
static void *waiter(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&L);
    pthread_mutex_lock(&CM);
    // Created while we hold CM: the helper cannot set flag before we wait.
    pthread_create(&helper_tid, NULL, helper, NULL);
    while (!flag)
        pthread_cond_wait(&cond_c, &CM);    // really sleeps once
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&L);
    return NULL;
}

// Round 2 signaller: takes L, then signals cond_c (nobody waits now):
// the [E] of cond_c depends on L.
static void *signaller(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&L);
    pthread_mutex_lock(&CM);
    flag = 1;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&L);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);     // round 1
    pthread_join(t, NULL);
    pthread_join(helper_tid, NULL);
    flag = 0;
    pthread_create(&t, NULL, signaller, NULL);  // round 2
    pthread_join(t, NULL);
    puts("cond_outer_lock: done");
    return 0;
}
