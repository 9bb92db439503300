// dept-example: seed_completion
// expect: potential
// objects: A comp_b
// summary: Kernel DEPT doc example 2 with completion B as a semaphore comp_b (initial 0): X locks A and completes B, Y locks A and waits for B; X runs first so it completes, but if Y held A first X could never complete B.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static sem_t comp_b;                        // completion B, initial 0

// Context X: completes B while holding A: [E] B depends on A.
static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&A);                 // [W] A
    sem_post(&comp_b);                      // [E] B (complete)
    pthread_mutex_unlock(&A);
    return NULL;
}

// Context Y: waits for completion B while holding A: [E] A depends on B.
static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&A);                 // [S] A
    sem_wait(&comp_b);                      // [W] B (already completed: no block)
    pthread_mutex_unlock(&A);               // [E] A
    return NULL;
}

int main(void)
{
    pthread_t t;
    sem_init(&comp_b, 0, 0);
    // X first: the completion happens before anyone waits for it.
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    // Then Y: the wait returns at once. Y first would hang (hang_seed_completion.c).
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    sem_destroy(&comp_b);
    puts("seed_completion: done");
    return 0;
}
