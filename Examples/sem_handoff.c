// dept-example: sem_handoff
// expect: silent
// objects: S1 S2 H
// summary: Thread A takes binary semaphores S1 then S2 and posts hand-off semaphore H, thread B waits for H and releases S2 then S1 on A's behalf, then thread C takes S1 then S2 as ordinary locks; all orders agree, so treating A as the holder of S1/S2 must not invent an S1 -> H -> S1 cycle.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#define ROUNDS 10000

static sem_t S1, S2;            // binary, initial 1, used as locks
static sem_t H;                 // hand-off, initial 0
static long work;

static void *ctx_a(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-A");
    for (int i = 0; i < ROUNDS; i++) {
        sem_wait(&S1);          // take S1, then S2
        sem_wait(&S2);
        work++;
        sem_post(&H);           // hand both over to B
    }
    return NULL;
}

static void *ctx_b(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-B");
    for (int i = 0; i < ROUNDS; i++) {
        sem_wait(&H);           // wait for the hand-off
        sem_post(&S2);          // release on A's behalf
        sem_post(&S1);
    }
    return NULL;
}

static void *ctx_c(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-C");
    for (int i = 0; i < ROUNDS; i++) {
        sem_wait(&S1);          // ordinary lock use, same S1 -> S2 order
        sem_wait(&S2);
        work--;
        sem_post(&S2);
        sem_post(&S1);
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b, c;
    sem_init(&S1, 0, 1);
    sem_init(&S2, 0, 1);
    sem_init(&H, 0, 0);
    pthread_create(&b, NULL, ctx_b, NULL);      // B waits for H for real
    pthread_create(&a, NULL, ctx_a, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_create(&c, NULL, ctx_c, NULL);      // afterwards
    pthread_join(c, NULL);
    printf("sem_handoff: done %ld\n", work);
    return 0;
}
