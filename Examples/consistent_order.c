// dept-example: consistent_order
// expect: silent
// objects: locks
// summary: Four threads each lock random subsets of 8 mutexes, always in ascending index order and unlock in reverse, 20k times each; a single global order means no cycle is possible.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NLOCKS 8
#define NTHREADS 4
#define ITERS 20000

static pthread_mutex_t locks[NLOCKS] = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
};
static unsigned long counters[NLOCKS];

static void *worker(void *arg)
{
    unsigned seed = (unsigned)(unsigned long)arg * 7919u + 1;
    char name[16];
    snprintf(name, sizeof name, "ctx-%lu", (unsigned long)arg);
    pthread_setname_np(pthread_self(), name);
    for (int it = 0; it < ITERS; it++) {
        unsigned mask = (unsigned)rand_r(&seed) & ((1u << NLOCKS) - 1);
        for (int i = 0; i < NLOCKS; i++)            // ascending: 0 < 1 < ... < 7
            if (mask & (1u << i))
                pthread_mutex_lock(&locks[i]);
        for (int i = 0; i < NLOCKS; i++)
            if (mask & (1u << i))
                counters[i]++;
        for (int i = NLOCKS - 1; i >= 0; i--)       // reverse order release
            if (mask & (1u << i))
                pthread_mutex_unlock(&locks[i]);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[NTHREADS];
    for (unsigned long i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    unsigned long sum = 0;
    for (int i = 0; i < NLOCKS; i++)
        sum += counters[i];
    printf("consistent_order: done %lu\n", sum);
    return 0;
}
