// dept-example: join_under_mutex
// expect: potential
// objects: M
// summary: The worker locks M before it exits, and main joins the worker while holding M; the worker is let finish with M first (sem_done) so the run completes, but if main held M earlier the join would never return.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static sem_t sem_done;
static int work;

// The worker's exit ([E] of the join) depends on M: worker-exit -> M.
static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    pthread_mutex_lock(&M);         // [W] M between the worker's start [S] and its exit [E]
    work++;
    pthread_mutex_unlock(&M);
    sem_post(&sem_done);            // tell main we are past M
    return NULL;                    // [E] thread exit
}

int main(void)
{
    pthread_t t;
    sem_init(&sem_done, 0, 0);
    pthread_setname_np(pthread_self(), "ctx-main");
    pthread_create(&t, NULL, worker, NULL);
    sem_wait(&sem_done);            // the worker no longer needs M
    pthread_mutex_lock(&M);         // [S] M
    pthread_join(t, NULL);          // [W] worker exit while holding M: M -> worker-exit
    pthread_mutex_unlock(&M);
    sem_destroy(&sem_done);
    printf("join_under_mutex: done %d\n", work);
    return 0;
}
