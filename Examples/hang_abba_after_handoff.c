// dept-example: hang_abba_after_handoff
// expect: deadlock
// objects: A B
// summary: hang_abba, after thread X first waited on a binary semaphore as Python's Condition waits on its waiter's lock: X takes it, takes it again, blocking until a helper thread posts it, and drops it. The deadlock report's blocked threads section must say that X holds A, not the semaphore as well.
//
// The semaphore's second take ends a hand-off, not a hold: the report of
// d7ab207's library said "holds waiter, A".
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <semaphore.h>
#include <unistd.h>

static sem_t waiter;

static void *notifier(void *arg)
{
    (void)arg;
    usleep(20000);                          // X waits on the semaphore by now
    sem_post(&waiter);
    return NULL;
}

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    sem_init(&waiter, 0, 1);
    sem_wait(&waiter);                      // taken, as a lock would be
    pthread_t n;
    pthread_create(&n, NULL, notifier, NULL);
    sem_wait(&waiter);                      // until the notifier posts it
    pthread_join(n, NULL);                  // and the semaphore is dropped
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
    pthread_t x, y;
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("hang_abba_after_handoff: unreachable");
    return 0;
}
