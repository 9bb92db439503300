// dept-example: annotated_completion
// expect: potential
// objects: A completion_class
// summary: A completion of the program's own on a raw futex word (lib/futex_lock.h), heap-allocated and classed by a static struct dept_key completion_class, annotated with dept_wait_begin / dept_event: X locks A and completes it, later Y locks A and waits for it (kernel DEPT's documentation example); X first, so the wait returns at once, but Y first would hang.
// build: cc -g -O0 -pthread -Iinclude -IExamples/lib -o $OUT/annotated_completion Examples/annotated_completion.c
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "futex_lock.h"

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static struct dept_key completion_class;    // names the class of every completion
static struct completion *comp;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&A);
    complete(comp);                 // [E] while holding A
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&A);
    wait_for_completion(comp);      // [W] while holding A (already complete)
    pthread_mutex_unlock(&A);
    return NULL;
}

int main(void)
{
    comp = malloc(sizeof *comp);
    init_completion(comp, &completion_class);
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    dept_map_destroy(comp);
    free(comp);
    puts("annotated_completion: done");
    return 0;
}
