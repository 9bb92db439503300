// dept-example: cond_woke_signaller
// expect: silent
// objects: L switch_cond
// summary: CPython's GIL drop request. X holds lock L (a binary semaphore, as Python's locks are) when it drops the GIL: it signals gil_cond, waking Q, which waits there to take the GIL, and then waits on switch_cond until someone has taken it. Every GIL taker signals switch_cond; Y once did so under L. But X itself woke Q, and a thread woken from gil_cond has been seen to signal switch_cond holding neither L nor anything else of the cycle: Q's signal is X's way out.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static sem_t L;                                               // a Python lock
static pthread_mutex_t gil_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t switch_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gil_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t switch_cond = PTHREAD_COND_INITIALIZER;
static int gil_locked = 1, last_holder, q_waiting;            // X holds the GIL

// The end of every GIL take: switch_cond signalled under both mutexes.
__attribute__((noinline)) static void took_gil(int me) {
    pthread_mutex_lock(&switch_mutex);
    last_holder = me;
    pthread_cond_signal(&switch_cond);
    pthread_mutex_unlock(&switch_mutex);
}

// Y runs first: it takes the GIL once holding L (the signal under L).
static void *y_thread(void *arg) {
    (void)arg;
    sem_wait(&L);
    pthread_mutex_lock(&gil_mutex);
    took_gil(3);
    pthread_mutex_unlock(&gil_mutex);
    sem_post(&L);
    return NULL;
}

// Q asks for the GIL and waits for it, with a timeout as CPython does.
static void *q_thread(void *arg) {
    (void)arg;
    pthread_mutex_lock(&gil_mutex);
    q_waiting = 1;
    while (gil_locked) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 60;
        pthread_cond_timedwait(&gil_cond, &gil_mutex, &ts);
    }
    gil_locked = 1;
    took_gil(2);                  // holding gil_mutex only: wakes X
    pthread_mutex_unlock(&gil_mutex);
    return NULL;
}

// X holds L and drops the GIL on Q's request.
static void *x_thread(void *arg) {
    (void)arg;
    sem_wait(&L);
    for (;;) {
        pthread_mutex_lock(&gil_mutex);
        if (q_waiting) break;
        pthread_mutex_unlock(&gil_mutex);
        usleep(1000);
    }
    gil_locked = 0;
    pthread_cond_signal(&gil_cond);                            // wakes Q
    pthread_mutex_lock(&switch_mutex);                         // before Q can signal
    pthread_mutex_unlock(&gil_mutex);
    last_holder = 1;
    while (last_holder == 1) pthread_cond_wait(&switch_cond, &switch_mutex);   // holding L
    pthread_mutex_unlock(&switch_mutex);
    sem_post(&L);
    return NULL;
}

int main(void) {
    sem_init(&L, 0, 1);
    pthread_t x, y, q;
    pthread_create(&y, NULL, y_thread, NULL);
    pthread_join(y, NULL);
    pthread_create(&q, NULL, q_thread, NULL);
    pthread_create(&x, NULL, x_thread, NULL);
    pthread_join(x, NULL);
    pthread_join(q, NULL);
    puts("cond_woke_signaller: done");
    return 0;
}
