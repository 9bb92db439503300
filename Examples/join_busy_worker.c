// dept-example: join_busy_worker
// expect: silent
// objects: stats
// summary: main joins a worker that computes for 2.5 s, taking and releasing mutex stats as it goes; a join on a thread that still runs waits for its work, not for something stuck: no hang, and no stall warning however long the work takes.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t stats = PTHREAD_MUTEX_INITIALIZER;
static unsigned long rounds;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    double end = now() + 2.5;
    volatile unsigned long x = 0;
    while (now() < end) {
        for (int i = 0; i < 100000; i++) x += i;   // the work
        pthread_mutex_lock(&stats);
        rounds++;
        pthread_mutex_unlock(&stats);
    }
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);                  // blocked 2.5 s, untimed
    puts(rounds > 0 ? "join_busy_worker: done" : "join_busy_worker: no rounds");
    return 0;
}
