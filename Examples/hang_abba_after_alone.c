// dept-example: hang_abba_after_alone
// expect: deadlock
// objects: A B
// summary: First a worker blocks in sem_wait until main posts and is joined, so that dept's monitor thread starts; main then stays alone for more than a second, so that the monitor goes; then, as in hang_abba, thread X holds A and waits for B while thread Y holds B and waits for A (a barrier makes both take their first lock before the second), a real AB-BA deadlock; main blocks in pthread_join.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <time.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;
static sem_t go;

static void *early(void *arg)
{
    (void)arg;
    sem_wait(&go);                          // blocks: main sleeps first
    return NULL;
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&A);
    pthread_barrier_wait(&both_hold_one);   // Y now holds B
    pthread_mutex_lock(&B);                 // blocks forever
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&B);
    pthread_barrier_wait(&both_hold_one);   // X now holds A
    pthread_mutex_lock(&A);                 // blocks forever
    pthread_mutex_unlock(&A);
    pthread_mutex_unlock(&B);
    return NULL;
}

int main(void)
{
    alarm(10);                              // never hang for more than 10 s
    pthread_t e, x, y;
    sem_init(&go, 0, 0);
    pthread_create(&e, NULL, early, NULL);
    struct timespec t = { 0, 100 * 1000000L };
    nanosleep(&t, NULL);
    sem_post(&go);
    pthread_join(e, NULL);
    struct timespec alone = { 1, 500 * 1000000L };
    nanosleep(&alone, NULL);                // main alone: the monitor goes; it must come back
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("hang_abba_after_alone: unreachable");
    return 0;
}
