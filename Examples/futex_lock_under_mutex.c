// dept-example: futex_lock_under_mutex
// expect: silent
// objects: S F
// summary: A futex-word lock F (GLib's GMutex protocol: 0 free, 1 taken, 2 taken with sleepers; only contention makes a system call) is always taken inside mutex S. One thread takes F without contention inside S and releases it with FUTEX_WAKE while another sleeps on it; later a thread holding S sleeps on F. Both take S then F, so no deadlock: the wake is the release of a lock its thread took after S (GStreamer's stream lock around GLib's g_slice lock).
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/futex_lock_under_mutex Examples/futex_lock_under_mutex.c
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "word_lock.h"

static pthread_mutex_t S = PTHREAD_MUTEX_INITIALIZER;
static uint32_t F;

static int stage;               // plain atomics: dept sees no order from them
static int sleeper_tid, contender_tid;

static void until_stage(int s)
{
    while (__atomic_load_n(&stage, __ATOMIC_ACQUIRE) < s) usleep(1000);
}

// Stage 0: F contended with nothing held, so it is seen to behave as a
// lock (a thread woken from F releases it with FUTEX_WAKE itself).
static void *sleeper(void *arg)
{
    (void)arg;
    until_stage(1);
    __atomic_store_n(&sleeper_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    word_lock(&F);              // sleeps: the taker holds F
    word_unlock(&F);            // F is 2: wakes nobody, but calls FUTEX_WAKE
    return NULL;
}

// Stage 2: takes F inside S without contention (invisible) and releases it
// with FUTEX_WAKE, because the contender sleeps on it.
static void *taker(void *arg)
{
    (void)arg;
    until_stage(2);
    pthread_mutex_lock(&S);
    word_lock(&F);
    __atomic_store_n(&stage, 3, __ATOMIC_RELEASE);
    until_sleeping(&contender_tid);
    word_unlock(&F);            // [E] F, under S
    pthread_mutex_unlock(&S);
    return NULL;
}

static void *contender(void *arg)
{
    (void)arg;
    until_stage(3);
    __atomic_store_n(&contender_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    word_lock(&F);
    word_unlock(&F);
    __atomic_store_n(&stage, 4, __ATOMIC_RELEASE);
    return NULL;
}

// Stage 4: sleeps on F while holding S, as the taker would have if the
// order were S then F for it too.
static void *holder(void *arg)
{
    (void)arg;
    until_stage(5);
    pthread_mutex_lock(&S);
    __atomic_store_n(&sleeper_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    word_lock(&F);              // [W] F while holding S
    word_unlock(&F);
    pthread_mutex_unlock(&S);
    return NULL;
}

int main(void)
{
    pthread_t t[4];
    void *(*body[4])(void *) = { sleeper, taker, contender, holder };
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, body[i], NULL);
    // Stage 0/1: main holds F while the sleeper sleeps on it.
    word_lock(&F);
    __atomic_store_n(&stage, 1, __ATOMIC_RELEASE);
    until_sleeping(&sleeper_tid);
    word_unlock(&F);
    pthread_join(t[0], NULL);
    __atomic_store_n(&sleeper_tid, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&stage, 2, __ATOMIC_RELEASE);
    until_stage(4);
    // Stage 4/5: main holds F while the holder sleeps on it holding S.
    word_lock(&F);
    __atomic_store_n(&stage, 5, __ATOMIC_RELEASE);
    until_sleeping(&sleeper_tid);
    word_unlock(&F);
    for (int i = 1; i < 4; i++) pthread_join(t[i], NULL);
    puts("futex_lock_under_mutex: done");
    return 0;
}
