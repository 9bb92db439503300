// Condvar ping-pong: two threads pass a turn back and forth ROUND_TRIPS
// times through one mutex and two condition variables, each waiting in a
// predicate loop. A token-passing pattern that always progresses: nothing to
// report.
//
// usage: condvar_pingpong [round_trips=100000]
// prints: the number of round trips
#include "bench_common.h"

static long trips;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t to_pong = PTHREAD_COND_INITIALIZER, to_ping = PTHREAD_COND_INITIALIZER;
static int turn;          // 0: ping's turn, 1: pong's turn
static long done;

static void *pong(void *arg) {
    (void)arg;
    for (long i = 0; i < trips; i++) {
        pthread_mutex_lock(&m);
        while (turn != 1) pthread_cond_wait(&to_pong, &m);
        turn = 0;
        done++;
        pthread_cond_signal(&to_ping);
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

int main(int argc, char **argv) {
    trips = bench_arg(argc, argv, 1, 100000);
    pthread_t t;
    BENCH_CHECK(pthread_create(&t, NULL, pong, NULL));
    for (long i = 0; i < trips; i++) {
        pthread_mutex_lock(&m);
        while (turn != 0) pthread_cond_wait(&to_ping, &m);
        turn = 1;
        pthread_cond_signal(&to_pong);
        pthread_mutex_unlock(&m);
    }
    pthread_mutex_lock(&m);
    while (turn != 0) pthread_cond_wait(&to_ping, &m);
    pthread_mutex_unlock(&m);
    BENCH_CHECK(pthread_join(t, NULL));
    printf("%ld\n", done);
    return 0;
}
