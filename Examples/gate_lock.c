// dept-example: gate_lock
// expect: silent
// objects: G A B
// summary: Both threads take gate G before taking A and B in opposite orders; the gate serialises them so the A/B inversion can never deadlock and must not be reported.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define ITERS 20000

static pthread_mutex_t G = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static long shared;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&G);     // gate
        pthread_mutex_lock(&A);     // A -> B under G
        pthread_mutex_lock(&B);
        shared++;
        pthread_mutex_unlock(&B);
        pthread_mutex_unlock(&A);
        pthread_mutex_unlock(&G);
    }
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&G);     // gate
        pthread_mutex_lock(&B);     // B -> A under G
        pthread_mutex_lock(&A);
        shared--;
        pthread_mutex_unlock(&A);
        pthread_mutex_unlock(&B);
        pthread_mutex_unlock(&G);
    }
    return NULL;
}

int main(void)
{
    pthread_t x, y;
    pthread_create(&x, NULL, ctx_x, NULL);  // run concurrently
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    printf("gate_lock: done %ld\n", shared);
    return 0;
}
