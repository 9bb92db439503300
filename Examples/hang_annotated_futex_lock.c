// dept-example: hang_annotated_futex_lock
// expect: deadlock
// objects: lock_a lock_b
// summary: The annotated futex lock of lib/futex_lock.h in a real AB-BA: X holds lock_a and sleeps on lock_b's futex word, Y holds lock_b and sleeps on lock_a's; the annotations tell dept who holds what, so the cycle is proven from ownership; main blocks in pthread_join.
// build: cc -g -O0 -pthread -Iinclude -IExamples/lib -o $OUT/hang_annotated_futex_lock Examples/hang_annotated_futex_lock.c
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include "futex_lock.h"

static struct futex_lock lock_a, lock_b;
static pthread_barrier_t both_hold_one;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    futex_lock_acquire(&lock_a);
    pthread_barrier_wait(&both_hold_one);
    futex_lock_acquire(&lock_b);        // sleeps forever
    futex_lock_release(&lock_b);
    futex_lock_release(&lock_a);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    futex_lock_acquire(&lock_b);
    pthread_barrier_wait(&both_hold_one);
    futex_lock_acquire(&lock_a);        // sleeps forever
    futex_lock_release(&lock_a);
    futex_lock_release(&lock_b);
    return NULL;
}

int main(void)
{
    alarm(10);
    futex_lock_init(&lock_a, NULL);
    futex_lock_init(&lock_b, NULL);
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_t x, y;
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("hang_annotated_futex_lock: unreachable");
    return 0;
}
