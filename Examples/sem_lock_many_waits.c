// dept-example: sem_lock_many_waits
// expect: potential
// objects: S last
// summary: A binary semaphore S (initial 1) is used as a lock around many mutexes: thread 1 takes S, then 24 mutexes in turn and the mutex last, then posts S itself; thread 2 (after a join) takes last and then S, the opposite order. Whether S is a lock is known only at its post, so every wait made under it must be kept until then, not only the first few.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

#define FILLERS 1100
static sem_t S;
// Each a class of its own (static, never initialised at run time).
static pthread_mutex_t filler[FILLERS] = { [0 ... FILLERS - 1] = PTHREAD_MUTEX_INITIALIZER };
static pthread_mutex_t last = PTHREAD_MUTEX_INITIALIZER;
static long fillers = 24;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    sem_wait(&S);                       // [W]+[S] S
    for (long i = 0; i < fillers; i++) {
        pthread_mutex_lock(&filler[i]);
        pthread_mutex_unlock(&filler[i]);
    }
    pthread_mutex_lock(&last);          // [W] last while "holding" S: S -> last
    pthread_mutex_unlock(&last);
    sem_post(&S);                       // posted by the taker: S was a lock
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&last);
    sem_wait(&S);                       // last -> S closes the cycle
    sem_post(&S);
    pthread_mutex_unlock(&last);
    return NULL;
}

// usage: sem_lock_many_waits [fillers=24] (at most 1100)
int main(int argc, char **argv)
{
    if (argc > 1) fillers = atol(argv[1]);
    if (fillers < 0 || fillers > FILLERS) { fprintf(stderr, "fillers must be 0..%d\n", FILLERS); return 2; }
    pthread_t t;
    sem_init(&S, 0, 1);
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);      // sequenced: completes
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    sem_destroy(&S);
    puts("sem_lock_many_waits: done");
    return 0;
}
