// Semaphores handed between threads, as Python's threading.Condition does
// with a waiter's lock (a semaphore in PyPy): for each of ROUNDS rounds the
// waiter makes a fresh binary semaphore, takes it, publishes it under the
// condition's mutex and takes it again, which blocks until the notifier
// posts it; the semaphore is then dropped without a post or a destroy. Each
// side also posts a counting semaphore under the mutex, as a queue would.
// Nothing to report.
//
// usage: sem_handoff [rounds=20000]
// prints: the number of rounds
#include "bench_common.h"
#include <semaphore.h>

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static sem_t *published, items;
static long rounds;

static void *notifier(void *arg) {
    (void)arg;
    for (long r = 0; r < rounds; r++) {
        sem_t *w = NULL;
        while (!w) {
            pthread_mutex_lock(&mutex);
            w = published;
            published = NULL;
            pthread_mutex_unlock(&mutex);
            if (!w) sched_yield();
        }
        pthread_mutex_lock(&mutex);
        sem_post(&items);
        pthread_mutex_unlock(&mutex);
        sem_post(w);
    }
    return NULL;
}

int main(int argc, char **argv) {
    rounds = bench_arg(argc, argv, 1, 20000);
    sem_t *waiters = bench_xmalloc((size_t)(rounds ? rounds : 1) * sizeof *waiters);
    if (sem_init(&items, 0, 0)) { perror("sem_init"); return 2; }
    pthread_t t;
    BENCH_CHECK(pthread_create(&t, NULL, notifier, NULL));
    for (long r = 0; r < rounds; r++) {
        sem_t *w = &waiters[r];
        if (sem_init(w, 0, 1)) { perror("sem_init"); return 2; }
        while (sem_wait(w) != 0) {}
        pthread_mutex_lock(&mutex);
        published = w;
        pthread_mutex_unlock(&mutex);
        while (sem_wait(w) != 0) {}      // until the notifier posts it
        pthread_mutex_lock(&mutex);
        while (sem_trywait(&items) != 0) {
            pthread_mutex_unlock(&mutex);
            sched_yield();
            pthread_mutex_lock(&mutex);
        }
        pthread_mutex_unlock(&mutex);
    }
    BENCH_CHECK(pthread_join(t, NULL));
    printf("%ld\n", rounds);
    return 0;
}
