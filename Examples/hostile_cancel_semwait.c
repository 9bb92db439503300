// dept-example: hostile_cancel_semwait
// expect: silent
// objects: L S
// summary: 10 times in turn, a thread takes L and calls sem_wait(S) with a cancellation already pending (sent while it had cancellation disabled): in even rounds S holds a token, in odd rounds it is empty. sem_wait is a cancellation point even when it would not block, so both times the thread is cancelled, its cleanup handler releases L, and S keeps its token. Correct code, nothing to report.
//
// Hostile because: dept takes a token that is already there with
// sem_trywait, which is no cancellation point, instead of going through
// sem_wait. Unless the hook acts on a pending cancellation first, as glibc's
// sem_wait does, the thread takes the token and goes on: the program sees
// its cancelled worker return and its token gone.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#define ROUNDS 10

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static sem_t S;
static atomic_int ready;     // the worker holds L, cancellation disabled
static atomic_int sent;      // its cancellation is pending
static int cleanups;         // written by the handler, read after the join

static void release_l(void *arg)
{
    (void)arg;
    cleanups++;
    pthread_mutex_unlock(&L);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-cancelled");
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    pthread_mutex_lock(&L);
    pthread_cleanup_push(release_l, NULL);
    atomic_store(&ready, 1);
    while (!atomic_load(&sent)) usleep(100);
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    sem_wait(&S);          // acted on here, token or not
    printf("worker: sem_wait returned instead of acting on the cancellation\n");
    pthread_cleanup_pop(1);
    return NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(10);
    if (sem_init(&S, 0, 0) != 0) { perror("sem_init"); return 1; }
    for (int round = 0; round < ROUNDS; round++) {
        int token = round % 2 == 0;
        if (token) sem_post(&S);
        atomic_store(&ready, 0);
        atomic_store(&sent, 0);
        pthread_t t;
        pthread_create(&t, NULL, worker, NULL);
        while (!atomic_load(&ready)) usleep(100);
        pthread_cancel(t);
        atomic_store(&sent, 1);
        void *ret;
        pthread_join(t, &ret);
        if (ret != PTHREAD_CANCELED) { printf("round %d: the worker was not cancelled\n", round); return 1; }
        int value = -1;
        sem_getvalue(&S, &value);
        if (value != token) { printf("round %d: S holds %d tokens, not %d\n", round, value, token); return 1; }
        if (token) sem_wait(&S);
    }
    // The lock is free again: every cleanup released it.
    pthread_mutex_lock(&L);
    pthread_mutex_unlock(&L);
    sem_destroy(&S);
    printf("cleanups: %d\n", cleanups);
    printf("hostile_cancel_semwait: done\n");
    return 0;
}
