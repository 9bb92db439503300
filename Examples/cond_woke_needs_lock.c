// dept-example: cond_woke_needs_lock
// expect: potential
// objects: L switch_cond
// summary: The near miss of cond_woke_signaller: the thread X wakes from gil_cond must take L, which X holds, before it signals switch_cond, so X (waiting on switch_cond holding L) and it wait for each other. A third thread, Z, happens to signal switch_cond and breaks the wait in this run. The woken thread's signal under L is the one that closes the cycle, and the only signal seen after a wake from gil_cond: it needed L.
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
static int gil_locked = 1, last_holder, q_waiting, x_waiting;  // X holds the GIL

__attribute__((noinline)) static void took_gil(int me) {
    pthread_mutex_lock(&switch_mutex);
    last_holder = me;
    pthread_cond_signal(&switch_cond);
    pthread_mutex_unlock(&switch_mutex);
}

// Q waits for the GIL, then needs L before it can signal switch_cond.
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
    pthread_mutex_unlock(&gil_mutex);
    sem_wait(&L);                 // blocks: X holds L
    pthread_mutex_lock(&gil_mutex);
    took_gil(2);
    pthread_mutex_unlock(&gil_mutex);
    sem_post(&L);
    return NULL;
}

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
    pthread_mutex_lock(&switch_mutex);
    pthread_mutex_unlock(&gil_mutex);
    last_holder = 1;
    x_waiting = 1;
    while (last_holder == 1) pthread_cond_wait(&switch_cond, &switch_mutex);   // holding L
    pthread_mutex_unlock(&switch_mutex);
    sem_post(&L);
    return NULL;
}

// Z comes by chance, well after Q has blocked on L.
static void *z_thread(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&switch_mutex);
        int w = x_waiting;
        pthread_mutex_unlock(&switch_mutex);
        if (w) break;
        usleep(1000);
    }
    usleep(50 * 1000);
    took_gil(4);                  // wakes X
    return NULL;
}

int main(void) {
    sem_init(&L, 0, 1);
    pthread_t x, q, z;
    pthread_create(&q, NULL, q_thread, NULL);
    pthread_create(&x, NULL, x_thread, NULL);
    pthread_create(&z, NULL, z_thread, NULL);
    pthread_join(x, NULL);
    pthread_join(q, NULL);
    pthread_join(z, NULL);
    puts("cond_woke_needs_lock: done");
    return 0;
}
