// dept-example: cond_announce_stale
// expect: potential
// objects: L cond_c
// summary: The near miss of cond_announce_before_lock: a waiter sleeps on condvar cond_c while holding L until `handled`; the signaller signals cond_c without L to report progress (the predicate stays false), waits for a go-ahead on a semaphore, and only then takes L, sets `handled` and signals again. A waiter that starts waiting after the first signal blocks the signaller on L forever: the first signal is no way out, and the wait between the two keeps the dependency.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t CM = PTHREAD_MUTEX_INITIALIZER;     // cond_c's mutex
static pthread_cond_t cond_c = PTHREAD_COND_INITIALIZER;
static sem_t go;
static int handled, progress;
static pthread_t helper_tid;

// Round 1 helper: does not take L; sets the predicate and signals.
static void *helper(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-helper");
    pthread_mutex_lock(&CM);        // only succeeds once the waiter sleeps in cond_wait
    handled = 1;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    return NULL;
}

// Waiter: [W] cond_c while holding L: the [E] of L depends on cond_c.
static void *waiter(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&L);
    pthread_mutex_lock(&CM);
    pthread_create(&helper_tid, NULL, helper, NULL);
    while (!handled)
        pthread_cond_wait(&cond_c, &CM);    // really sleeps once
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&L);
    return NULL;
}

// Round 2 signaller: progress signal, another wait, then L and the signal
// that sets the predicate: the [E] of cond_c depends on L.
static void *signaller(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&CM);
    progress++;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    sem_wait(&go);
    pthread_mutex_lock(&L);
    pthread_mutex_lock(&CM);
    handled = 1;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&L);
    return NULL;
}

int main(void)
{
    sem_init(&go, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);     // round 1
    pthread_join(t, NULL);
    pthread_join(helper_tid, NULL);
    handled = 0;
    sem_post(&go);
    pthread_create(&t, NULL, signaller, NULL);  // round 2
    pthread_join(t, NULL);
    printf("cond_announce_stale: done (%d progress)\n", progress);
    return 0;
}
