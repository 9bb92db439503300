// dept-example: sleeper_signals_later
// expect: silent
// objects: CM go
// summary: Three workers wait on condvar go (predicate loop) while main sleeps 3 s and then broadcasts; the workers are blocked for 3 s but a sleeping thread can still wake them, so this is neither a deadlock nor a hang.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define WORKERS 3

static pthread_mutex_t CM = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static int started;

static void *worker(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "ctx-worker-%ld", (long)arg);
    pthread_setname_np(pthread_self(), name);
    pthread_mutex_lock(&CM);
    while (!started)
        pthread_cond_wait(&go, &CM);        // blocked ~3 s, untimed
    pthread_mutex_unlock(&CM);
    return NULL;
}

int main(void)
{
    alarm(10);                              // safety only; we finish after ~3 s
    pthread_t t[WORKERS];
    pthread_setname_np(pthread_self(), "ctx-main");
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    sleep(3);                               // the scenario: a sleeper wakes them later
    pthread_mutex_lock(&CM);
    started = 1;
    pthread_cond_broadcast(&go);
    pthread_mutex_unlock(&CM);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    puts("sleeper_signals_later: done");
    return 0;
}
