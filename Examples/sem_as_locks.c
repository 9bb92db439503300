// dept-example: sem_as_locks
// expect: potential
// objects: S1 S2
// summary: Binary semaphores S1 and S2 (initial 1) are used as locks, taken and posted by the same thread: thread 1 takes S1 then S2, thread 2 (after a join) takes S2 then S1, an AB-BA inversion on semaphores.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t S1, S2;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    sem_wait(&S1);          // [W]+[S] S1
    sem_wait(&S2);          // [W] S2 while "holding" S1: S1 -> S2
    sem_post(&S2);
    sem_post(&S1);          // posted by the taker: behaves like a lock
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    sem_wait(&S2);
    sem_wait(&S1);          // S2 -> S1 closes the cycle
    sem_post(&S1);
    sem_post(&S2);
    return NULL;
}

int main(void)
{
    pthread_t t;
    sem_init(&S1, 0, 1);
    sem_init(&S2, 0, 1);
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);      // sequenced: completes
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    sem_destroy(&S1);
    sem_destroy(&S2);
    puts("sem_as_locks: done");
    return 0;
}
