// dept-example: annotated_lock_nested
// expect: silent
// objects: outer inner
// summary: The annotated futex lock of lib/futex_lock.h nested consistently (outer then inner) by two threads, with a waiter sleeping on inner's futex word when inner is released, so the release wakes it (FUTEX_WAKE) while outer is held; the annotations describe the lock, and its futex calls are not taken as events of their own: no report.
// build: cc -g -O0 -pthread -Iinclude -IExamples/lib -o $OUT/annotated_lock_nested Examples/annotated_lock_nested.c
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include "futex_lock.h"
#include "in_futex.h"

static struct futex_lock outer, inner;
static atomic_int tid_waiter;

// Until thread `tid` sleeps in the kernel (on inner's futex word).
static void until_blocked(atomic_int *tid)
{
    while (!atomic_load(tid)) sched_yield();
    until_in_futex(atomic_load(tid));
}

static void *waiter(void *arg)       // takes inner alone, after sleeping on it
{
    (void)arg;
    atomic_store(&tid_waiter, gettid());
    futex_lock_acquire(&inner);
    futex_lock_release(&inner);
    return NULL;
}

static void *nester(void *arg)
{
    int wake_someone = (int)(long)arg;
    futex_lock_acquire(&outer);
    futex_lock_acquire(&inner);
    pthread_t w;
    if (wake_someone) {
        pthread_create(&w, NULL, waiter, NULL);
        until_blocked(&tid_waiter);
    }
    futex_lock_release(&inner);     // FUTEX_WAKE on inner's word while holding outer
    futex_lock_release(&outer);
    if (wake_someone) pthread_join(w, NULL);
    return NULL;
}

int main(void)
{
    futex_lock_init(&outer, NULL);
    futex_lock_init(&inner, NULL);
    pthread_t t;
    pthread_create(&t, NULL, nester, (void *)1);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, nester, (void *)0);
    pthread_join(t, NULL);
    puts("annotated_lock_nested: done");
    return 0;
}
