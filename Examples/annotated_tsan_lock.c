// dept-example: annotated_tsan_lock
// expect: potential
// objects: lock_p lock_q
// summary: A spin lock annotated for ThreadSanitizer (__tsan_mutex_create / _pre_lock / _post_lock / _pre_unlock / _post_unlock, declared weak by include/dept.h, flags as in <sanitizer/tsan_interface.h>) means the same to dept: thread X fails a trylock of busy (no hold) and takes lock_p then lock_q, later thread Y takes lock_q then lock_p.
// build: cc -g -O0 -pthread -Iinclude -o $OUT/annotated_tsan_lock Examples/annotated_tsan_lock.c
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include "dept.h"

// <sanitizer/tsan_interface.h>
enum { tsan_linker_init = 1 << 0, tsan_try_lock = 1 << 4, tsan_try_lock_failed = 1 << 5 };

static int lock_p, lock_q, busy;

static void spin_lock(int *l)
{
    if (__tsan_mutex_pre_lock) __tsan_mutex_pre_lock(l, 0);
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) sched_yield();
    if (__tsan_mutex_post_lock) __tsan_mutex_post_lock(l, 0, 0);
}

static int spin_trylock(int *l)
{
    if (__tsan_mutex_pre_lock) __tsan_mutex_pre_lock(l, tsan_try_lock);
    int ok = !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE);
    if (__tsan_mutex_post_lock) __tsan_mutex_post_lock(l, tsan_try_lock | (ok ? 0 : tsan_try_lock_failed), 0);
    return ok;
}

static void spin_unlock(int *l)
{
    if (__tsan_mutex_pre_unlock) __tsan_mutex_pre_unlock(l, 0);
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
    if (__tsan_mutex_post_unlock) __tsan_mutex_post_unlock(l, 0);
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    if (spin_trylock(&busy)) return NULL;       // busy is held by main: fails, no hold
    spin_lock(&lock_p);                         // [S] lock_p
    spin_lock(&lock_q);                         // [W] lock_q while holding lock_p
    spin_unlock(&lock_q);
    spin_unlock(&lock_p);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    spin_lock(&lock_q);                         // [S] lock_q
    spin_lock(&lock_p);                         // [W] lock_p while holding lock_q: the cycle closes
    spin_unlock(&lock_p);
    spin_unlock(&lock_q);
    return NULL;
}

int main(void)
{
    if (__tsan_mutex_create) {
        __tsan_mutex_create(&lock_p, tsan_linker_init);
        __tsan_mutex_create(&lock_q, tsan_linker_init);
        __tsan_mutex_create(&busy, tsan_linker_init);
    }
    spin_lock(&busy);
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    spin_unlock(&busy);
    puts("annotated_tsan_lock: done");
    return 0;
}
