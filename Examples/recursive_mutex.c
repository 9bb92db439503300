// dept-example: recursive_mutex
// expect: silent
// objects: RM N
// summary: The owner re-locks the recursive mutex RM three times and takes N inside it, while a second thread uses RM then N normally; re-locking a recursive mutex you own is not a wait, so nothing is circular.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define ITERS 10000

static pthread_mutex_t RM;                  // recursive, initialised in main
static pthread_mutex_t N = PTHREAD_MUTEX_INITIALIZER;
static long shared;

static void nested(int depth)
{
    pthread_mutex_lock(&RM);                // depth 1: real wait; 2,3: re-lock by owner
    if (depth < 3) {
        nested(depth + 1);
    } else {
        pthread_mutex_lock(&N);             // RM -> N
        shared++;
        pthread_mutex_unlock(&N);
    }
    pthread_mutex_unlock(&RM);
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    for (int i = 0; i < ITERS; i++)
        nested(1);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&RM);            // plain use: RM -> N, same order
        pthread_mutex_lock(&N);
        shared--;
        pthread_mutex_unlock(&N);
        pthread_mutex_unlock(&RM);
    }
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&RM, &attr);
    pthread_mutexattr_destroy(&attr);

    pthread_t x, y;
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    printf("recursive_mutex: done %ld\n", shared);
    pthread_mutex_destroy(&RM);
    return 0;
}
