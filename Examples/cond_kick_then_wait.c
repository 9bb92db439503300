// dept-example: cond_kick_then_wait
// expect: silent
// objects: A M C
// summary: A parallel collector as Boehm GC runs one (ECL, Guile and others link it): whichever mutator collects holds the allocation lock A throughout, broadcasts condvar C to wake the marker threads, and waits on C at the same place for them to finish; the markers never take A. A mutator's broadcast under A cannot be what another's wait under A needs: every collector's own wait there, made under A, was ended by a marker. Not a deadlock.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define MARKERS 2
#define ROUNDS 3

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;    // the allocation lock
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;    // the mark lock, C's mutex
static pthread_cond_t C = PTHREAD_COND_INITIALIZER;
static unsigned round_no;      // bumped for every collection
static int busy;               // markers still marking this round
static int quit;

static void *marker(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "marker");
    unsigned mine = 0;
    pthread_mutex_lock(&M);
    for (;;) {
        while (!quit && round_no == mine) pthread_cond_wait(&C, &M);   // work to do?
        if (quit) break;
        mine = round_no;
        pthread_mutex_unlock(&M);
        // ... mark ...
        pthread_mutex_lock(&M);
        if (--busy == 0) pthread_cond_broadcast(&C);                   // done
    }
    pthread_mutex_unlock(&M);
    return NULL;
}

// Called by any mutator: the collection runs under the allocation lock.
static __attribute__((noinline)) void collect(void) {
    pthread_mutex_lock(&A);
    pthread_mutex_lock(&M);
    round_no++;
    busy = MARKERS;
    pthread_cond_broadcast(&C);                 // wake the markers
    while (busy > 0) pthread_cond_wait(&C, &M); // and wait until they are done
    pthread_mutex_unlock(&M);
    pthread_mutex_unlock(&A);
}

static void *mutator(void *arg) {
    pthread_setname_np(pthread_self(), (const char *)arg);
    for (int i = 0; i < ROUNDS; i++) collect();
    return NULL;
}

int main(void) {
    pthread_t m[MARKERS], t1, t2;
    for (int i = 0; i < MARKERS; i++) pthread_create(&m[i], NULL, marker, NULL);
    pthread_create(&t1, NULL, mutator, "mutator-1");
    pthread_join(t1, NULL);
    pthread_create(&t2, NULL, mutator, "mutator-2");
    pthread_join(t2, NULL);
    collect();                                  // main collects too
    pthread_mutex_lock(&M);
    quit = 1;
    pthread_cond_broadcast(&C);
    pthread_mutex_unlock(&M);
    for (int i = 0; i < MARKERS; i++) pthread_join(m[i], NULL);
    puts("cond_kick_then_wait: done");
    return 0;
}
