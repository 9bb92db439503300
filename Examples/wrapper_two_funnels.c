// dept-example: wrapper_two_funnels
// expect: silent
// objects: lib_mutex_init rec_mutex_init
// summary: every mutex comes from one of two init helpers (libuv's uv_mutex_init, V8's RecursiveMutex constructor); thread 1 nests requests_lock -> break_access, thread 2 nests safepoint_lock -> task_queue_lock: four distinct locks, no cycle between instances.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct lib_mutex { pthread_mutex_t m; };                 /* uv_mutex_t */
struct rec_mutex { pthread_mutex_t m; int level; };      /* v8::base::RecursiveMutex */

__attribute__((noinline)) static void lib_mutex_init(struct lib_mutex *l) {
    if (pthread_mutex_init(&l->m, NULL) != 0) abort();
}

__attribute__((noinline)) static void rec_mutex_init(struct rec_mutex *r) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    if (pthread_mutex_init(&r->m, &a) != 0) abort();
    pthread_mutexattr_destroy(&a);
    r->level = 0;
}

/* Owners of the four locks, each initialised by its own constructor. */
struct inspector { struct lib_mutex requests_lock; } *inspector;
struct task_queue { struct lib_mutex lock; long tasks; } *task_queue;
struct isolate { struct rec_mutex break_access; struct rec_mutex safepoint; long interrupts; } *isolate;

static void inspector_new(void) { inspector = calloc(1, sizeof *inspector); lib_mutex_init(&inspector->requests_lock); }
static void task_queue_new(void) { task_queue = calloc(1, sizeof *task_queue); lib_mutex_init(&task_queue->lock); }
static void isolate_new(void) {
    isolate = calloc(1, sizeof *isolate);
    rec_mutex_init(&isolate->break_access);
    rec_mutex_init(&isolate->safepoint);
}

/* Worker start-up: post to the main thread (requests_lock), which requests
   an interrupt of the isolate (break_access). */
static void *worker_started(void *arg) {
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&inspector->requests_lock.m);
        pthread_mutex_lock(&isolate->break_access.m);
        isolate->interrupts++;
        pthread_mutex_unlock(&isolate->break_access.m);
        pthread_mutex_unlock(&inspector->requests_lock.m);
    }
    return NULL;
}

/* GC on the main thread: inside a safepoint scope, post a job to the
   platform's task queue. */
static void *scavenge(void *arg) {
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&isolate->safepoint.m);
        pthread_mutex_lock(&task_queue->lock.m);
        task_queue->tasks++;
        pthread_mutex_unlock(&task_queue->lock.m);
        pthread_mutex_unlock(&isolate->safepoint.m);
    }
    return NULL;
}

int main(void) {
    inspector_new();
    task_queue_new();
    isolate_new();
    pthread_t a, b;
    pthread_create(&a, NULL, worker_started, NULL);
    pthread_join(a, NULL);                  /* one after the other: this run cannot hang */
    pthread_create(&b, NULL, scavenge, NULL);
    pthread_join(b, NULL);
    printf("wrapper_two_funnels: done interrupts %ld tasks %ld\n", isolate->interrupts, task_queue->tasks);
    return 0;
}
