// Semaphore as a lock: THREADS threads each hold their own binary
// semaphore (sem_wait, then sem_post by the same thread) HOLDS times, and
// under each hold take WAITS different mutexes one after another, twice.
// A wait under a held semaphore is tentative until the post shows the
// semaphore was a lock (a post by another thread makes it a signal), so
// every hold keeps WAITS tentative waits and settles them at its post.
// PyPy's Python locks are semaphores, held this way around the
// interpreter's own locks. Nothing to report.
//
// usage: sem_lock [threads=2] [holds=20000] [waits=200]
// prints: the number of mutex acquisitions
#include "bench_common.h"
#include <semaphore.h>

#define MAX_WAITS 1024

static pthread_mutex_t inner[MAX_WAITS];   // static, never initialised: a class each
static long holds, waits;

static void *worker(void *arg) {
    sem_t *s = arg;
    long n = 0;
    for (long h = 0; h < holds; h++) {
        while (sem_wait(s) != 0)
            if (errno != EINTR) { perror("sem_wait"); exit(2); }
        for (int twice = 0; twice < 2; twice++)
            for (long j = 0; j < waits; j++) {
                pthread_mutex_lock(&inner[j]);
                n++;
                pthread_mutex_unlock(&inner[j]);
            }
        sem_post(s);
    }
    return (void *)n;
}

int main(int argc, char **argv) {
    long threads = bench_arg(argc, argv, 1, 2);
    holds = bench_arg(argc, argv, 2, 20000);
    waits = bench_arg(argc, argv, 3, 200);
    if (threads < 1 || threads > 64 || waits > MAX_WAITS) {
        fprintf(stderr, "need 1..64 threads and at most %d waits\n", MAX_WAITS);
        return 2;
    }
    sem_t sems[64];
    pthread_t t[64];
    for (long i = 0; i < threads; i++) {
        if (sem_init(&sems[i], 0, 1)) { perror("sem_init"); return 2; }
        BENCH_CHECK(pthread_create(&t[i], NULL, worker, &sems[i]));
    }
    long total = 0;
    for (long i = 0; i < threads; i++) {
        void *r;
        BENCH_CHECK(pthread_join(t[i], &r));
        total += (long)r;
    }
    printf("%ld\n", total);
    return 0;
}
