// dept-example: join_after_done_flag
// expect: silent
// objects: L done_cv
// summary: The pigz join_all shape. Each worker marks itself done under L and broadcasts done_cv, then exits without waiting for anything again; main holds L while it waits for a worker's done flag and then joins that worker, still holding L. The worker's last wait for L returned before main asked for the join (main learned it through the broadcast, or, when the flag was already set, through L, which the broadcast was made under), so the join cannot wait for L: happens-before (R2.4) rules the L -> worker-exit -> L cycle out.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define WORKERS 4

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int done[WORKERS];
static long result[WORKERS];

static void *worker(void *arg)
{
    long i = (long)arg;
    long sum = 0;
    for (long k = 0; k < 100000 * (i + 1); k++) sum += k % 7;
    pthread_mutex_lock(&L);             // the worker's last wait: for L
    result[i] = sum;
    done[i] = 1;
    pthread_cond_broadcast(&done_cv);   // under L: a waiter that finds its flag set read it under L
    pthread_mutex_unlock(&L);
    return NULL;                        // exit: nothing waited for since L
}

int main(void)
{
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    long total = 0;
    pthread_mutex_lock(&L);
    for (int i = 0; i < WORKERS; i++) {
        while (!done[i]) pthread_cond_wait(&done_cv, &L);
        pthread_join(t[i], NULL);       // joined while holding L
        total += result[i];
    }
    pthread_mutex_unlock(&L);
    printf("join_after_done_flag: done %ld\n", total);
    return 0;
}
