// dept-example: barrier_post_same_round
// expect: hang
// objects: bar go
// summary: Nearest real deadlock of barrier_post_after: X posts go only after the barrier round it shares with Y, and Y waits for go before it arrives: X waits at bar for Y, Y waits for go, main joins them; every thread is blocked, a live report.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static pthread_barrier_t bar;   // 2 participants: X and Y
static sem_t go;                // posted by X after the barrier

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_barrier_wait(&bar);     // waits for Y's arrival
    sem_post(&go);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    sem_wait(&go);                  // waits for X's post
    pthread_barrier_wait(&bar);
    return NULL;
}

int main(void)
{
    alarm(20);                      // safety only: dept ends it first
    pthread_barrier_init(&bar, NULL, 2);
    sem_init(&go, 0, 0);
    pthread_t x, y;
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("barrier_post_same_round: unreachable");
    return 0;
}
