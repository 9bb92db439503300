// dept-example: join_after_done_flag_relock
// expect: silent
// objects: L done_cv
// summary: join_after_done_flag where main's acquisition of L is answered from dept's acquisition cache. A first worker broadcasts done_cv under L (which publishes its clock into L) and is joined; main then takes L twice at one call site with nothing else held, so the second acquisition and every later one come from the cache. Each further worker is done with L before main looks (main polls a plain atomic, which dept does not see) and still running when main joins it holding L; main never waits on done_cv, so it learns that the worker's last wait for L returned before the join only through L's published clock. A cached acquisition must learn it too, or the L -> worker-exit -> L cycle is reported.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#define WORKERS 4

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int done[WORKERS];
static long result[WORKERS];
static pthread_t t[WORKERS];
static _Atomic int finished;            // not a lock: dept learns nothing from it

static void *worker(void *arg)
{
    long i = (long)arg;
    pthread_mutex_lock(&L);             // the worker's last wait: for L
    result[i] = i * 10;
    done[i] = 1;
    pthread_cond_broadcast(&done_cv);   // under L: publishes this worker's clock into L
    pthread_mutex_unlock(&L);
    finished = (int)i + 1;
    if (i > 0) usleep(20000);           // still running when main joins it: the join waits
    return NULL;                        // exit: nothing waited for since L
}

// One call site for every acquisition of L by main: the same situation
// each time, so the acquisition cache answers all but the first.
static __attribute__((noinline)) long under_L(long i)
{
    long got = 0;
    pthread_mutex_lock(&L);
    if (i > 0) {
        while (!done[i]) pthread_cond_wait(&done_cv, &L);
        pthread_join(t[i], NULL);       // joined while holding L
        got = result[i];
    }
    pthread_mutex_unlock(&L);
    return got;
}

int main(void)
{
    long total = 0;
    pthread_create(&t[0], NULL, worker, (void *)0);
    pthread_join(t[0], NULL);           // L now carries a published clock
    under_L(0);                         // remembered
    under_L(0);                         // from the cache
    for (long i = 1; i < WORKERS; i++) {
        pthread_create(&t[i], NULL, worker, (void *)i);
        while (finished != i + 1) sched_yield();
        total += under_L(i);
    }
    printf("join_after_done_flag_relock: done %ld\n", total);
    return 0;
}
