// dept-example: timeout_stuck_worker
// expect: warning
// objects: job_ready jobs_lock
// summary: A worker waits on job_ready (holding jobs_lock) for a signal that never comes while main sleeps, so no verdict is possible (main could still signal); the process is ended from outside the way test runners end a stuck test: its own alarm (default), a SIGTERM (`sleep`: wait for it), a watchdog thread's exit(3) (`exit`) or _exit(4) (`_exit`). Before it goes, a `DEPT: warning: stall:` dump says what the worker waits for and holds. With `clean`, main signals the worker after 1.5 s and returns: no dump. With `exit0`, the other thread calls exit(0) (a runtime that ends successfully from one of its threads, its idle workers still parked): success needs no explanation, no dump. With `fail`, the other thread computes for 2 s and then calls exit(5) (a program that fails after working, as blender does after a Python error with its idle OpenBLAS workers parked): the process was not quiet, so it is no watchdog's exit, no dump. Under `LD_PRELOAD=libdept.so:libslow_spawn.so` (Examples/lib/libslow_spawn.c) the worker has blocked before main's pthread_create returns, as on a busy machine: the dump still comes. A second SIGTERM to the process group while dept's symbolizer runs (Examples/lib/slow_symbolizer.c) does not cost the dump its symbols.
// build: cc -g -O0 -shared -fPIC -o $OUT/libslow_spawn.so Examples/lib/libslow_spawn.c -ldl && cc -O0 -o $OUT/slow_symbolizer Examples/lib/slow_symbolizer.c && cc -g -O0 -pthread -o $OUT/timeout_stuck_worker Examples/timeout_stuck_worker.c
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_ready = PTHREAD_COND_INITIALIZER;
static int ready;

static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    pthread_mutex_lock(&jobs_lock);
    pthread_mutex_lock(&m);
    while (!ready)
        pthread_cond_wait(&job_ready, &m);      // blocked until the end
    pthread_mutex_unlock(&m);
    pthread_mutex_unlock(&jobs_lock);
    return NULL;
}

// Works for 2 s of CPU, as a program does before it fails.
static void compute(void)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile unsigned long sum = 0;
    do {
        for (int i = 0; i < 100000; i++) sum += (unsigned long)i;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < 2000000000L);
}

static void *watchdog(void *arg)
{
    if (strcmp(arg, "fail") == 0) {
        compute();
        exit(5);
    }
    sleep(2);
    if (strcmp(arg, "exit") == 0) exit(3);
    if (strcmp(arg, "exit0") == 0) exit(0);
    _exit(4);
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "alarm";
    pthread_t w, d;
    pthread_create(&w, NULL, worker, NULL);
    if (strcmp(how, "clean") == 0) {
        usleep(1500 * 1000);
        pthread_mutex_lock(&m);
        ready = 1;
        pthread_cond_signal(&job_ready);
        pthread_mutex_unlock(&m);
        pthread_join(w, NULL);
        puts("timeout_stuck_worker: done");
        return 0;
    }
    if (strcmp(how, "exit") == 0 || strcmp(how, "_exit") == 0 || strcmp(how, "exit0") == 0 || strcmp(how, "fail") == 0)
        pthread_create(&d, NULL, watchdog, (void *)how);
    else if (strcmp(how, "alarm") == 0)
        alarm(2);
    sleep(30);                                  // ended from outside before this returns
    return 0;
}
