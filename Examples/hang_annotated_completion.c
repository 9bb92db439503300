// dept-example: hang_annotated_completion
// expect: deadlock
// objects: A completion_class
// summary: The annotated completion of lib/futex_lock.h for real: Y holds A and sleeps until the completion is completed; X must take A before it completes it and blocks on A; a warm-up round first shows X completing under A.
// build: cc -g -O0 -pthread -Iinclude -IExamples/lib -o $OUT/hang_annotated_completion Examples/hang_annotated_completion.c
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include "futex_lock.h"

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static struct dept_key completion_class;
static struct completion comp;
static atomic_int y_holds_a;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    while (!atomic_load(&y_holds_a)) sched_yield();
    pthread_mutex_lock(&A);         // hang round: blocks, Y holds A
    complete(&comp);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *warm_up(void *arg)     // completes under A while a waiter without A sleeps
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-helper");
    pthread_mutex_lock(&A);
    complete(&comp);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&A);
    atomic_store(&y_holds_a, 1);
    wait_for_completion(&comp);     // sleeps forever
    pthread_mutex_unlock(&A);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t x, y;
    // Warm-up round (completes): main waits without A, the helper completes under A.
    init_completion(&comp, &completion_class);
    pthread_create(&x, NULL, warm_up, NULL);
    wait_for_completion(&comp);
    pthread_join(x, NULL);
    // Hang round.
    init_completion(&comp, &completion_class);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_join(y, NULL);
    pthread_join(x, NULL);
    puts("hang_annotated_completion: unreachable");
    return 0;
}
