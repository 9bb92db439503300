// dept-example: seed_page_lock
// expect: potential
// objects: A sem_b
// summary: Kernel DEPT doc example 1 with the page lock B as a binary semaphore sem_b (initial 1): X takes B, Z locks A and releases B on X's behalf, Y locks A then waits for B; sequenced so it completes, but A -> B (Y) and B -> A (Z's post needs A) can deadlock.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static sem_t sem_b;                         // "page lock" B, binary semaphore

// Context X: takes the page lock and leaves it to be released by someone else
// (like a page locked for I/O, unlocked by the I/O completion path).
static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    sem_wait(&sem_b);                       // [W]+[S] B: value 1 -> 0
    return NULL;
}

// Context Z: releases B on behalf of X, but only after it got A.
// The [E] of B depends on A: B -> A.
static void *ctx_z(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Z");
    pthread_mutex_lock(&A);                 // [W] A
    sem_post(&sem_b);                       // [E] B (a B that Z never took)
    pthread_mutex_unlock(&A);
    return NULL;
}

// Context Y: waits for B while holding A: the [E] of A depends on B: A -> B.
static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&A);                 // [S] A
    sem_wait(&sem_b);                       // [W] B (value is 1 again: no block)
    sem_post(&sem_b);
    pthread_mutex_unlock(&A);               // [E] A
    return NULL;
}

static void run(void *(*fn)(void *))
{
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    pthread_join(t, NULL);
}

int main(void)
{
    sem_init(&sem_b, 0, 1);
    // Round 1: X takes B; Z locks A, posts B, unlocks A.
    run(ctx_x);
    run(ctx_z);
    // Round 2: Y locks A, takes B, posts B, unlocks A.
    // Had Y run between X and Z, Y would sleep on B holding A and Z would
    // sleep on A forever (see hang_seed_page_lock.c).
    run(ctx_y);
    sem_destroy(&sem_b);
    puts("seed_page_lock: done");
    return 0;
}
