// dept-example: hang_seed_completion
// expect: deadlock
// objects: A comp_b
// summary: Kernel DEPT doc example 2 hanging for real: Y holds A and waits for completion B (semaphore comp_b), X waits for A before it would complete B; a warm-up round first lets the detector see X complete B under A.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static sem_t comp_b;                        // completion B, initial 0
static pthread_barrier_t y_holds_a;

static void *ctx_x(void *arg)               // completes B under A
{
    pthread_setname_np(pthread_self(), "ctx-X");
    if (arg)
        pthread_barrier_wait(&y_holds_a);
    pthread_mutex_lock(&A);                 // hang round: blocks, Y holds A
    sem_post(&comp_b);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&A);
    pthread_barrier_wait(&y_holds_a);
    sem_wait(&comp_b);                      // blocks: only X completes B
    pthread_mutex_unlock(&A);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t x, y;
    sem_init(&comp_b, 0, 0);
    pthread_barrier_init(&y_holds_a, NULL, 2);

    // Warm-up round (completes): X locks A, completes B, unlocks A; main
    // consumes the completion (no lock held).
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_join(x, NULL);
    sem_wait(&comp_b);

    // Hang round: Y gets A first and waits for B; X waits for A.
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_create(&x, NULL, ctx_x, (void *)1);
    pthread_join(y, NULL);
    pthread_join(x, NULL);
    puts("hang_seed_completion: unreachable");
    return 0;
}
