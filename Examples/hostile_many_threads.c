// dept-example: hostile_many_threads
// expect: silent
// objects: S own
// summary: 10,000 short-lived threads, created and joined in batches of 100; each initialises a mutex on its own stack, locks it, then the shared S inside it, adds its number to a sum, unlocks both and destroys its mutex; another mutex on the stack is zero-initialised and never destroyed; one order (own -> S), no report, no crash; prints the checksum.
//
// Hostile because: per-thread records, thread descriptors and stack
// addresses are recycled thousands of times (reused addresses must neither
// merge locks nor fill a table), and thread creation itself must stay
// cheap and bounded.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define THREADS 10000
#define BATCH 100

static pthread_mutex_t S = PTHREAD_MUTEX_INITIALIZER;
static long sum;
static long zero_locks;

static void *worker(void *arg)
{
    long id = (long)arg;
    pthread_mutex_t own;
    pthread_mutex_init(&own, NULL);
    pthread_mutex_lock(&own);
    pthread_mutex_lock(&S);
    sum += id;
    pthread_mutex_unlock(&S);
    pthread_mutex_unlock(&own);
    pthread_mutex_destroy(&own);

    pthread_mutex_t zero;                 // as PTHREAD_MUTEX_INITIALIZER, never destroyed
    memset(&zero, 0, sizeof zero);
    pthread_mutex_lock(&zero);
    pthread_mutex_lock(&S);
    zero_locks++;
    pthread_mutex_unlock(&S);
    pthread_mutex_unlock(&zero);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t t[BATCH];
    long created = 0;
    for (long base = 0; base < THREADS; base += BATCH) {
        for (long i = 0; i < BATCH; i++)
            if (pthread_create(&t[i], NULL, worker, (void *)(base + i + 1)) == 0) created++;
        for (long i = 0; i < BATCH; i++) pthread_join(t[i], NULL);
    }
    printf("hostile_many_threads: done, threads=%ld sum=%ld zero_locks=%ld\n", created, sum, zero_locks);
    return 0;
}
