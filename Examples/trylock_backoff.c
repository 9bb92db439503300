// dept-example: trylock_backoff
// expect: silent
// objects: A B
// summary: Thread 1 locks A then B; thread 2 locks B then only trylocks A, backing off (unlock B, yield, retry) on failure; a trylock never waits, so there is no B -> A dependency.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#define ITERS 20000

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static long shared, backoffs;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&A);
        pthread_mutex_lock(&B);             // A -> B
        shared++;
        pthread_mutex_unlock(&B);
        pthread_mutex_unlock(&A);
    }
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    for (int i = 0; i < ITERS; i++) {
        for (;;) {
            pthread_mutex_lock(&B);
            if (pthread_mutex_trylock(&A) == 0)  // no wait: cannot block
                break;
            pthread_mutex_unlock(&B);       // back off and retry
            backoffs++;
            sched_yield();
        }
        shared--;
        pthread_mutex_unlock(&A);
        pthread_mutex_unlock(&B);
    }
    return NULL;
}

int main(void)
{
    pthread_t x, y;
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    printf("trylock_backoff: done %ld (backoffs %ld)\n", shared, backoffs);
    return 0;
}
