// dept-example: rwlock_inversion
// expect: potential
// objects: R M
// summary: Thread 1 write-locks R then locks M; after it is joined thread 2 locks M then read-locks R; a reader waits for a writer, so R(write) -> M -> R(read) is a real inversion.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_rwlock_t R = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_rwlock_wrlock(&R);  // [S] R (exclusive)
    pthread_mutex_lock(&M);     // [W] M while holding R for writing
    pthread_mutex_unlock(&M);
    pthread_rwlock_unlock(&R);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&M);     // [S] M
    pthread_rwlock_rdlock(&R);  // [W] R (shared): waits for the writer ctx-X
    pthread_rwlock_unlock(&R);
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);      // sequenced: no blocking in this run
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    puts("rwlock_inversion: done");
    return 0;
}
