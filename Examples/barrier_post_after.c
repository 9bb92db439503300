// dept-example: barrier_post_after
// expect: silent
// objects: bar go
// summary: Barrier bar: participant X posts semaphore go only after it passed bar (round 1, completed by a third thread Z), and participant Y waits for go before it arrives at bar (round 2, with X). Class by class this is a cycle (bar's arrival after a wait for go, go's post after a wait at bar), but Y asked for go only after X's barrier wait had begun, so by "valid since" X's post does not wait on Y's arrival: the rounds never overlap. A ring made only of such dependencies is never predicted; barrier_post_same_round is the run that really hangs, reported live.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/barrier_post_after Examples/barrier_post_after.c
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "in_futex.h"

static pthread_barrier_t bar;   // 2 participants per round
static sem_t go;                // posted by X after the barrier
static atomic_int tid_x, tid_y;

// Until thread `tid` sleeps in the kernel (futex), i.e. inside its wait:
// orders the rounds without sleeping for a guessed time.
static void until_blocked(atomic_int *tid)
{
    while (!atomic_load(tid)) sched_yield();
    until_in_futex(atomic_load(tid));
}

// Round 1 (X and Z): Y already waits for go when X passes bar and posts go,
// so the posts depend on X's barrier wait. Round 2 (X and Y): X already
// waits at bar when Y waits for go (X's second token is there) and arrives,
// so the arrival depends on Y's wait for go. go has one post site only: had
// Y a post of its own, its wait would be an OR-wait and this no deadlock.
static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    atomic_store(&tid_x, gettid());
    until_blocked(&tid_y);          // Y sleeps in sem_wait(go)
    pthread_barrier_wait(&bar);     // round 1, with Z
    for (int i = 0; i < 2; i++)
        sem_post(&go);              // [E] go, after the barrier (one token per wait of Y)
    pthread_barrier_wait(&bar);     // round 2, with Y
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    atomic_store(&tid_y, gettid());
    sem_wait(&go);                  // sleeps until X passed round 1
    until_blocked(&tid_x);          // X sleeps at the barrier (round 2)
    sem_wait(&go);                  // [W] go (the second token is there), then arrives
    pthread_barrier_wait(&bar);     // round 2: [E] bar after waiting for go
    return NULL;
}

static void *ctx_z(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Z");
    pthread_barrier_wait(&bar);     // round 1
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&bar, NULL, 2);
    sem_init(&go, 0, 0);
    pthread_t x, y, z;
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&z, NULL, ctx_z, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    pthread_join(z, NULL);
    pthread_barrier_destroy(&bar);
    puts("barrier_post_after: done");
    return 0;
}
