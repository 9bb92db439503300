// dept-example: hang_rwlock
// expect: deadlock
// objects: R M
// summary: Thread X holds rwlock R for writing and waits for M while thread Y holds M and waits to read-lock R (blocked by the writer): a real deadlock through a reader/writer lock.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_rwlock_t R = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_rwlock_wrlock(&R);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&M);                 // blocks: Y holds M
    pthread_mutex_unlock(&M);
    pthread_rwlock_unlock(&R);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&M);
    pthread_barrier_wait(&both_hold_one);
    pthread_rwlock_rdlock(&R);              // blocks: X writes R
    pthread_rwlock_unlock(&R);
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t x, y;
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("hang_rwlock: unreachable");
    return 0;
}
