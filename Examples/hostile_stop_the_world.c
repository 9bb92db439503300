// dept-example: hostile_stop_the_world
// expect: silent
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/hostile_stop_the_world Examples/hostile_stop_the_world.c
// objects: pool
// summary: a garbage collector's stop-the-world, as mono's SGen and Boehm GC do it: the main thread stops a worker with SIGUSR1, whose handler posts an acknowledgement and waits in sigsuspend until SIGUSR2 resumes it; between the two the main thread takes locks. The worker meanwhile keeps taking pairs of locks it never took together before, so it is often inside dept's core when the signal arrives. 500 rounds, no cycle; the main thread never takes a lock the worker takes (a collector must not wait for what a thread it stopped may hold).
//
// Hostile because: a handler that stops its thread inside dept's core keeps
// the core lock held until the world restarts, and the thread that stops
// the world needs that lock in its next hook: mono hung so (its finaliser
// thread stopped inside the core, its main thread waiting for the core in
// a sem_wait of the collector). dept must not be entered with the signal
// deliverable while it holds what other hooks wait for.
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include "stop_the_world.h"

#define ROUNDS 500   // below POOL / 8
#define POOL 4096

// One class (initialised in a loop), many instances: each new pair of
// instances nested is a situation dept has not seen, and goes to its core.
static pthread_mutex_t pool[POOL];
static atomic_int stop;
static atomic_long pairs;

static void *worker(void *arg) {
    (void)arg;
    stw_worker_starts();
    for (long i = 0; !atomic_load(&stop); i++) {
        // Its own indices: a collector must not wait for a lock that a
        // thread it stopped may hold.
        long a = i % (POOL / 2), b = POOL / 2 + (i * 7) % (POOL / 4);
        pthread_mutex_lock(&pool[a]);          // ascending addresses: no loop
        pthread_mutex_lock(&pool[b]);
        pthread_mutex_unlock(&pool[b]);
        pthread_mutex_unlock(&pool[a]);
        atomic_fetch_add(&pairs, 1);
    }
    return NULL;
}

int main(void)
{
    alarm(10);   // a hang ends the run instead of the test's patience
    for (int i = 0; i < POOL; i++) pthread_mutex_init(&pool[i], NULL);
    stw_install();
    pthread_t w;
    pthread_create(&w, NULL, worker, NULL);
    while (atomic_load(&pairs) < 100) usleep(100);
    for (long r = 0; r < ROUNDS; r++) {
        stw_stop(w);
        long a = POOL - POOL / 4 + r, b = POOL - POOL / 8 + r;   // none of the worker's
        pthread_mutex_lock(&pool[a]);          // work while it is stopped:
        pthread_mutex_lock(&pool[b]);          // a new pair, so a core call
        pthread_mutex_unlock(&pool[b]);
        pthread_mutex_unlock(&pool[a]);
        stw_restart(w);
        usleep(200);
    }
    atomic_store(&stop, 1);
    pthread_join(w, NULL);
    printf("hostile_stop_the_world: done\n");
    return 0;
}
