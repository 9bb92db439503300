// dept-example: cond_announce_before_sem
// expect: silent
// objects: L switch_cond
// summary: CPython's GIL hand-over. Thread X holds lock L (a binary semaphore, as Python's locks are) while it waits on switch_cond until another thread takes the "GIL"; every taker signals switch_cond under two mutexes. Thread Y takes the GIL (its signal wakes X), then blocks taking L, and once X releases L takes the GIL again, signalling switch_cond under L. The second signal was announced on the way into L (no other wait between but L's own), so no waiter can be stuck behind L for it.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static sem_t L;                                               // a Python lock
static pthread_mutex_t gil_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t switch_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t switch_cond = PTHREAD_COND_INITIALIZER;
static int last_holder, x_waiting;

// Every GIL take signals switch_cond here, under both mutexes.
__attribute__((noinline)) static void take_gil(int me) {
    pthread_mutex_lock(&gil_mutex);
    pthread_mutex_lock(&switch_mutex);
    last_holder = me;
    pthread_cond_signal(&switch_cond);
    pthread_mutex_unlock(&switch_mutex);
    pthread_mutex_unlock(&gil_mutex);
}

static void *x_thread(void *arg) {
    (void)arg;
    sem_wait(&L);
    pthread_mutex_lock(&switch_mutex);
    last_holder = 1;
    x_waiting = 1;
    while (last_holder == 1) pthread_cond_wait(&switch_cond, &switch_mutex);   // holding L
    pthread_mutex_unlock(&switch_mutex);
    sem_post(&L);
    return NULL;
}

static void *y_thread(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&switch_mutex);
        int w = x_waiting;
        pthread_mutex_unlock(&switch_mutex);
        if (w) break;
        usleep(1000);
    }
    take_gil(2);                  // wakes X
    sem_wait(&L);                 // blocks until X is done with L
    take_gil(2);                  // under L: announced on the way in
    sem_post(&L);
    return NULL;
}

int main(void) {
    sem_init(&L, 0, 1);
    pthread_t x, y;
    pthread_create(&x, NULL, x_thread, NULL);
    pthread_create(&y, NULL, y_thread, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("cond_announce_before_sem: done");
    return 0;
}
