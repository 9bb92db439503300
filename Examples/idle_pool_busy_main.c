// dept-example: idle_pool_busy_main
// expect: silent
// objects: pool_lock work
// summary: Three pool workers wait on condvar work (predicate loop) while main computes for 3 s and then hands them the shutdown; idle workers of a process that computes are no stall: no stall warning, even with stall_ms=1500 (sleeper_signals_later, where main sleeps instead, gets one).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 3

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static int shutting_down;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "ctx-worker-%ld", (long)arg);
    pthread_setname_np(pthread_self(), name);
    pthread_mutex_lock(&pool_lock);
    while (!shutting_down)
        pthread_cond_wait(&work, &pool_lock);   // idle ~3 s, untimed
    pthread_mutex_unlock(&pool_lock);
    return NULL;
}

int main(void)
{
    alarm(20);                              // safety only; we finish after ~3 s
    pthread_t t[WORKERS];
    pthread_setname_np(pthread_self(), "ctx-main");
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    // The work: no lock, no wait, only CPU (a compressor's main loop).
    volatile unsigned long x = 0;
    for (double end = now() + 3; now() < end;)
        for (int i = 0; i < 100000; i++) x += i;
    pthread_mutex_lock(&pool_lock);
    shutting_down = 1;
    pthread_cond_broadcast(&work);
    pthread_mutex_unlock(&pool_lock);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    puts(x ? "idle_pool_busy_main: done" : "idle_pool_busy_main: no work");
    return 0;
}
