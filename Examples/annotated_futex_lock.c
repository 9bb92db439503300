// dept-example: annotated_futex_lock
// expect: potential
// objects: lock_a lock_b
// summary: A lock of the program's own on a raw futex word (lib/futex_lock.h), annotated with include/dept.h (dept_wait_begin / dept_ecxt_enter / dept_ecxt_exit): thread X takes lock_a then lock_b, later thread Y takes lock_b then lock_a; never contended, so without the annotations dept would see nothing. Built against dept.h, it runs without the preload too.
// build: cc -g -O0 -pthread -Iinclude -IExamples/lib -o $OUT/annotated_futex_lock Examples/annotated_futex_lock.c
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include "futex_lock.h"

static struct futex_lock lock_a, lock_b;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    futex_lock_acquire(&lock_a);        // [S] lock_a
    futex_lock_acquire(&lock_b);        // [W] lock_b while holding lock_a
    futex_lock_release(&lock_b);
    futex_lock_release(&lock_a);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    futex_lock_acquire(&lock_b);        // [S] lock_b
    futex_lock_acquire(&lock_a);        // [W] lock_a while holding lock_b: the cycle closes
    futex_lock_release(&lock_a);
    futex_lock_release(&lock_b);
    return NULL;
}

int main(void)
{
    futex_lock_init(&lock_a, NULL);     // static: each is its own class
    futex_lock_init(&lock_b, NULL);
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    printf("annotated_futex_lock: done (dept %s)\n", __dept_wait_begin ? "loaded" : "not loaded");
    return 0;
}
