// dept-example: hostile_stop_the_world_objects
// expect: silent
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/hostile_stop_the_world_objects Examples/hostile_stop_the_world_objects.c
// objects: m
// summary: hostile_stop_the_world with a worker that makes, takes and destroys a new heap mutex over and over, so that it is often inside dept's object table when the collector stops it; between stop and restart the collector makes, takes and destroys a mutex of its own. 3000 rounds, no cycle.
//
// Hostile because: the object table's lock is held for a few instructions
// at a time, but a handler that stops the thread there kept it held until
// the world restarted, and the collector's own pthread_mutex_init waited
// for it (the core lock blocks signals while it is held; this one does
// not: the program's handlers wait until the thread holds none of dept's
// locks instead).
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "stop_the_world.h"

#define ROUNDS 3000

static atomic_int stop;
static atomic_long made;

static void one_mutex(void) {
    pthread_mutex_t *m = malloc(sizeof *m);
    pthread_mutex_init(m, NULL);
    pthread_mutex_lock(m);
    pthread_mutex_unlock(m);
    pthread_mutex_destroy(m);
    free(m);
}

static void *worker(void *arg) {
    (void)arg;
    stw_worker_starts();
    while (!atomic_load(&stop)) {
        one_mutex();
        atomic_fetch_add(&made, 1);
    }
    return NULL;
}

int main(void) {
    alarm(10);
    stw_install();
    pthread_t w;
    pthread_create(&w, NULL, worker, NULL);
    while (atomic_load(&made) < 100) usleep(100);
    for (int r = 0; r < ROUNDS; r++) {
        stw_stop(w);
        one_mutex();                 // while the worker is stopped
        stw_restart(w);
    }
    atomic_store(&stop, 1);
    pthread_join(w, NULL);
    puts("hostile_stop_the_world_objects: done");
    return 0;
}
