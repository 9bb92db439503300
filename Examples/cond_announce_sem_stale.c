// dept-example: cond_announce_sem_stale
// expect: potential
// objects: L switch_cond
// summary: The near miss of cond_announce_before_sem: Y takes the GIL before X starts waiting (its signal wakes nobody), waits on a semaphore for X's go-ahead, then blocks taking L and signals switch_cond under it; a third thread, R, happens to take the GIL and wake X. Had R not come, X would wait on switch_cond holding L and Y on L forever: the wait between Y's two signals keeps the dependency.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static sem_t L;                                               // a Python lock
static sem_t go_ahead;
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
    sem_post(&go_ahead);
    while (last_holder == 1) pthread_cond_wait(&switch_cond, &switch_mutex);   // holding L
    pthread_mutex_unlock(&switch_mutex);
    sem_post(&L);
    return NULL;
}

static void *y_thread(void *arg) {
    (void)arg;
    take_gil(2);                  // nobody waits yet
    sem_wait(&go_ahead);          // another wait: the signal above is stale
    sem_wait(&L);                 // blocks until X is done with L
    take_gil(2);                  // under L
    sem_post(&L);
    return NULL;
}

static void *r_thread(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&switch_mutex);
        int w = x_waiting;
        pthread_mutex_unlock(&switch_mutex);
        if (w) break;
        usleep(1000);
    }
    usleep(50 * 1000);
    take_gil(3);                  // wakes X
    return NULL;
}

int main(void) {
    sem_init(&L, 0, 1);
    sem_init(&go_ahead, 0, 0);
    pthread_t x, y, r;
    pthread_create(&y, NULL, y_thread, NULL);
    usleep(20 * 1000);            // Y's first take comes first
    pthread_create(&x, NULL, x_thread, NULL);
    pthread_create(&r, NULL, r_thread, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    pthread_join(r, NULL);
    puts("cond_announce_sem_stale: done");
    return 0;
}
