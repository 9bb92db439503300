// dept-example: hang_c11_cnd_outer_lock
// expect: deadlock
// objects: L cond_c
// summary: C11 threads: the waiter sleeps in cnd_wait on cond_c while holding outer mtx_t L, and the only signaller must take L first: it blocks on L forever; a warm-up round first lets the detector see the signaller signal cond_c under L.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <threads.h>
#include <unistd.h>

static mtx_t L;         // outer lock
static mtx_t CM;        // cond_c's mutex
static cnd_t cond_c;
static int flag;
static pthread_barrier_t bar;

static int signaller(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-signaller");
    pthread_barrier_wait(&bar);
    mtx_lock(&L);                   // hang round: blocks, the waiter holds L
    mtx_lock(&CM);
    flag = 1;
    cnd_signal(&cond_c);
    mtx_unlock(&CM);
    mtx_unlock(&L);
    return 0;
}

static int plain_waiter(void *arg)  // warm-up: waits on cond_c without L
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-helper");
    mtx_lock(&CM);
    pthread_barrier_wait(&bar);     // the signaller can get CM only once we wait
    while (!flag)
        cnd_wait(&cond_c, &CM);
    mtx_unlock(&CM);
    return 0;
}

static int outer_waiter(void *arg)  // hang round: waits on cond_c holding L
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-waiter");
    mtx_lock(&L);
    mtx_lock(&CM);
    pthread_barrier_wait(&bar);
    while (!flag)
        cnd_wait(&cond_c, &CM);     // sleeps forever
    mtx_unlock(&CM);
    mtx_unlock(&L);
    return 0;
}

int main(void)
{
    alarm(10);
    mtx_init(&L, mtx_plain);
    mtx_init(&CM, mtx_plain);
    cnd_init(&cond_c);
    pthread_barrier_init(&bar, NULL, 2);
    thrd_t w, s;
    // Warm-up round (completes): a waiter without L is woken by the
    // signaller, which takes L before signalling.
    thrd_create(&w, plain_waiter, NULL);
    thrd_create(&s, signaller, NULL);
    thrd_join(w, NULL);
    thrd_join(s, NULL);
    flag = 0;
    // Hang round: the waiter holds L while it waits; the signaller needs L.
    thrd_create(&w, outer_waiter, NULL);
    thrd_create(&s, signaller, NULL);
    thrd_join(w, NULL);
    thrd_join(s, NULL);
    puts("hang_c11_cnd_outer_lock: unreachable");
    return 0;
}
