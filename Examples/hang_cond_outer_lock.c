// dept-example: hang_cond_outer_lock
// expect: deadlock
// objects: L cond_c
// summary: The waiter sleeps on condvar cond_c while holding outer lock L, and the only signaller must take L first: it blocks on L forever; a warm-up round first lets the detector see the signaller signal cond_c under L.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;      // outer lock
static pthread_mutex_t CM = PTHREAD_MUTEX_INITIALIZER;     // cond_c's mutex
static pthread_cond_t cond_c = PTHREAD_COND_INITIALIZER;
static int flag;
static pthread_barrier_t bar;

static void *signaller(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-signaller");
    pthread_barrier_wait(&bar);
    pthread_mutex_lock(&L);                 // hang round: blocks, the waiter holds L
    pthread_mutex_lock(&CM);
    flag = 1;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&L);
    return NULL;
}

static void *plain_waiter(void *arg)        // warm-up: waits on cond_c without L
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-helper");
    pthread_mutex_lock(&CM);
    pthread_barrier_wait(&bar);             // the signaller can get CM only once we wait
    while (!flag)
        pthread_cond_wait(&cond_c, &CM);
    pthread_mutex_unlock(&CM);
    return NULL;
}

static void *outer_waiter(void *arg)        // hang round: waits on cond_c holding L
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-waiter");
    pthread_mutex_lock(&L);
    pthread_mutex_lock(&CM);
    pthread_barrier_wait(&bar);
    while (!flag)
        pthread_cond_wait(&cond_c, &CM);    // sleeps forever
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&L);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t w, s;
    pthread_barrier_init(&bar, NULL, 2);

    // Warm-up round (completes): a waiter without L is woken by the signaller,
    // which takes L before signalling.
    pthread_create(&w, NULL, plain_waiter, NULL);
    pthread_create(&s, NULL, signaller, NULL);
    pthread_join(w, NULL);
    pthread_join(s, NULL);
    flag = 0;

    // Hang round: the waiter holds L while it waits; the signaller needs L.
    pthread_create(&w, NULL, outer_waiter, NULL);
    pthread_create(&s, NULL, signaller, NULL);
    pthread_join(w, NULL);
    pthread_join(s, NULL);
    puts("hang_cond_outer_lock: unreachable");
    return 0;
}
