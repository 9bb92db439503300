// dept-example: hostile_thread_churn
// expect: silent
// objects: M cond own_m own_c
// summary: 21,000 short-lived threads in waves: joined ones, ones created detached and ones that detach themselves; each signals a condvar on its own stack under a mutex on its stack (so both carry a clock) and destroys them, and takes M. The process's resident memory after the last 20,000 must not have grown with them (printed on stderr: "rss grew N KiB"); one order, no report.
//
// Hostile because: what dept keeps per object and per thread (the state of
// a condvar or semaphore, the clock of a thread's exit) must go when the
// object or thread does, for every way a thread ends (joined, detached at
// creation, detached later), or a long-running server that creates a
// thread per request grows without bound.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static atomic_long running;
static long sum;

static void *worker(void *arg)
{
    if ((long)arg % 3 == 2) pthread_detach(pthread_self());
    pthread_mutex_t own_m;
    pthread_cond_t own_c;
    pthread_mutex_init(&own_m, NULL);
    pthread_cond_init(&own_c, NULL);
    pthread_mutex_lock(&own_m);
    pthread_cond_signal(&own_c);
    pthread_mutex_unlock(&own_m);
    pthread_cond_destroy(&own_c);
    pthread_mutex_destroy(&own_m);
    pthread_mutex_lock(&M);
    sum += (long)arg;
    pthread_mutex_unlock(&M);
    atomic_fetch_sub(&running, 1);
    return NULL;
}

// Batches of 30: ten joined, ten created detached, ten detaching themselves.
static void churn(long from, long count)
{
    pthread_attr_t detached;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    for (long i = from; i < from + count; i += 30) {
        // The hang guard is per batch: 700 batches take 1-3 s here, but a
        // loaded machine once made the whole run, without dept, pass 10 s.
        alarm(10);
        pthread_t joined[30];
        int njoined = 0;
        for (long k = i; k < i + 30 && k < from + count; k++) {
            atomic_fetch_add(&running, 1);
            pthread_t t;
            if (k % 3 == 1) {
                pthread_create(&t, &detached, worker, (void *)k);
            } else {
                pthread_create(&t, NULL, worker, (void *)k);
                if (k % 3 == 0) joined[njoined++] = t;
            }
        }
        for (int j = 0; j < njoined; j++) pthread_join(joined[j], NULL);
        while (atomic_load(&running) > 0) usleep(100);
    }
    pthread_attr_destroy(&detached);
    usleep(50000);   // the detached threads' last steps after their count
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = atol(line + 6);
    if (f) fclose(f);
    return kib;
}

int main(void)
{
    alarm(10);                           // re-armed by every batch
    churn(0, 1000);
    long before = rss_kib();
    churn(1000, 20000);
    long after = rss_kib();
    fprintf(stderr, "hostile_thread_churn: rss grew %ld KiB\n", after - before);
    printf("hostile_thread_churn: sum %ld\n", sum);
    printf("hostile_thread_churn: done\n");
    return 0;
}
