// dept-example: cond_kick_by_other
// expect: potential
// objects: A C
// summary: The near miss of cond_kick_then_wait: a waiter holds the allocation lock A and waits on condvar C for the markers to finish, but it never wakes them itself: another thread must take A and broadcast C first. Sequenced so it completes (the kicker runs first); if the waiter takes A first, it waits forever and the kicker blocks on A.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;    // the allocation lock
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;    // C's mutex
static pthread_cond_t C = PTHREAD_COND_INITIALIZER;
static int work, done, waiting;

// Marks once it is woken with work, then says so once the waiter sleeps.
static void *marker(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "marker");
    pthread_mutex_lock(&M);
    while (!work) pthread_cond_wait(&C, &M);
    while (!waiting) {
        pthread_mutex_unlock(&M);
        sched_yield();
        pthread_mutex_lock(&M);
    }
    done = 1;
    pthread_cond_broadcast(&C);
    pthread_mutex_unlock(&M);
    return NULL;
}

// Takes A and wakes the marker: the broadcast depends on A.
static void *kicker(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "kicker");
    pthread_mutex_lock(&A);
    pthread_mutex_lock(&M);
    work = 1;
    pthread_cond_broadcast(&C);
    pthread_mutex_unlock(&M);
    pthread_mutex_unlock(&A);
    return NULL;
}

// Holds A and waits for the marker, relying on someone else's kick.
static void *waiter(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "waiter");
    pthread_mutex_lock(&A);
    pthread_mutex_lock(&M);
    waiting = 1;
    while (!done) pthread_cond_wait(&C, &M);
    pthread_mutex_unlock(&M);
    pthread_mutex_unlock(&A);
    return NULL;
}

int main(void) {
    pthread_t m, k, w;
    pthread_create(&m, NULL, marker, NULL);
    pthread_create(&k, NULL, kicker, NULL);
    pthread_join(k, NULL);                      // the kick comes first
    pthread_create(&w, NULL, waiter, NULL);
    pthread_join(w, NULL);
    pthread_join(m, NULL);
    puts("cond_kick_by_other: done");
    return 0;
}
