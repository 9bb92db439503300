// dept-example: barrier_lock_signal
// expect: potential
// objects: L bar c
// summary: X holds L while it waits at barrier bar. Y arrives at bar only after condvar c is signalled, and Z signals c while holding L. Here a fourth thread W completes X's round and Y meets P in the next one, so the run ends; but had Y been X's partner, X would wait at bar for Y holding L, Y for c, and Z for L, forever.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/barrier_lock_signal Examples/barrier_lock_signal.c
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "in_futex.h"

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t bar;           // 2 participants per round
static int signalled;                   // c's predicate, under M
static atomic_int tid_x, tid_y, tid_z, tid_p, round1_done;

// Until thread `tid` sleeps in the kernel (futex), i.e. inside its wait:
// orders the steps without sleeping for a guessed time.
static void until_blocked(atomic_int *tid)
{
    while (!atomic_load(tid)) sched_yield();
    until_in_futex(atomic_load(tid));
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    atomic_store(&tid_x, gettid());
    pthread_mutex_lock(&L);             // [S] L
    pthread_barrier_wait(&bar);         // [W] bar: round 1, completed by W
    atomic_store(&round1_done, 1);
    pthread_mutex_unlock(&L);           // [E] L
    return NULL;
}

static void *ctx_z(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Z");
    atomic_store(&tid_z, gettid());
    until_blocked(&tid_x);              // X waits at bar holding L
    pthread_mutex_lock(&L);             // [W] L: sleeps until X passed round 1
    until_blocked(&tid_y);              // Y waits for c
    pthread_mutex_lock(&M);
    signalled = 1;
    pthread_cond_signal(&c);            // [E] c, while holding L
    pthread_mutex_unlock(&M);
    pthread_mutex_unlock(&L);
    return NULL;
}

static void *ctx_w(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-W");
    until_blocked(&tid_z);              // Z sleeps on L
    pthread_barrier_wait(&bar);         // round 1, with X
    return NULL;
}

static void *ctx_p(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-P");
    atomic_store(&tid_p, gettid());
    while (!atomic_load(&round1_done)) sched_yield();
    pthread_barrier_wait(&bar);         // round 2, with Y
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    atomic_store(&tid_y, gettid());
    while (!atomic_load(&round1_done)) sched_yield();
    until_blocked(&tid_p);              // P waits at bar (round 2)
    pthread_mutex_lock(&M);
    while (!signalled)
        pthread_cond_wait(&c, &M);      // [W] c
    pthread_mutex_unlock(&M);
    pthread_barrier_wait(&bar);         // [E] bar: round 2, with P
    return NULL;
}

int main(void)
{
    alarm(20);                          // safety only
    pthread_barrier_init(&bar, NULL, 2);
    pthread_t t[5];
    void *(*fn[5])(void *) = { ctx_x, ctx_z, ctx_w, ctx_p, ctx_y };
    for (int i = 0; i < 5; i++) pthread_create(&t[i], NULL, fn[i], NULL);
    for (int i = 0; i < 5; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&bar);
    puts("barrier_lock_signal: done");
    return 0;
}
