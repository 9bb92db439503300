// Semaphore ping-pong: the main thread and a second thread pass a token back
// and forth ROUND_TRIPS times through two unnamed semaphores, ping (initial
// count 1) and pong (initial count 0); each posts what the other waits for.
// The initial count guarantees progress (DESIGN §3, as in
// Examples/sem_pingpong.c): nothing to report.
//
// usage: sem_pingpong [round_trips=100000]
// prints: the number of round trips
#include "bench_common.h"
#include <semaphore.h>

static long trips, done;
static sem_t ping, pong;

static void take(sem_t *s) {
    while (sem_wait(s) != 0)
        if (errno != EINTR) { perror("sem_wait"); exit(2); }
}

static void *ponger(void *arg) {
    (void)arg;
    for (long i = 0; i < trips; i++) {
        take(&pong);
        done++;
        sem_post(&ping);
    }
    return NULL;
}

int main(int argc, char **argv) {
    trips = bench_arg(argc, argv, 1, 100000);
    if (sem_init(&ping, 0, 1) || sem_init(&pong, 0, 0)) { perror("sem_init"); return 2; }
    pthread_t t;
    BENCH_CHECK(pthread_create(&t, NULL, ponger, NULL));
    for (long i = 0; i < trips; i++) {
        take(&ping);
        sem_post(&pong);
    }
    BENCH_CHECK(pthread_join(t, NULL));
    sem_destroy(&ping);
    sem_destroy(&pong);
    printf("%ld\n", done);
    return 0;
}
