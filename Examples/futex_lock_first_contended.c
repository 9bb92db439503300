// dept-example: futex_lock_first_contended
// expect: silent
// objects: S F
// summary: A futex-word lock F (GLib's GMutex protocol) always taken inside mutex S, whose first contention is the nested shape itself: the taker releases F under S with FUTEX_WAKE before any thread has shown F to be a lock, and a thread holding S sleeps on F while the woken contender still holds it. Only after that does a woken thread release F itself; the cycle found meanwhile is held back until then, and dropped (GStreamer's GstTask lock, a GMutex first contended under a pad's stream lock).
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/futex_lock_first_contended Examples/futex_lock_first_contended.c
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
static int contender_tid, holder_tid;

static void until_stage(int s)
{
    while (__atomic_load_n(&stage, __ATOMIC_ACQUIRE) < s) usleep(1000);
}

// Takes F inside S without contention (unseen) and releases it with
// FUTEX_WAKE under S, because the contender sleeps on it.
static void *taker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&S);
    word_lock(&F);
    __atomic_store_n(&stage, 1, __ATOMIC_RELEASE);
    until_sleeping(&contender_tid);
    word_unlock(&F);            // [E] F, under S: nothing has shown F a lock yet
    pthread_mutex_unlock(&S);
    return NULL;
}

// Sleeps on F holding nothing; once woken it holds F until the holder
// sleeps on it, and only then releases it (the first wake by a thread
// that slept on F: F is a lock).
static void *contender(void *arg)
{
    (void)arg;
    until_stage(1);
    __atomic_store_n(&contender_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    word_lock(&F);
    __atomic_store_n(&stage, 2, __ATOMIC_RELEASE);
    until_sleeping(&holder_tid);
    word_unlock(&F);
    return NULL;
}

static void *holder(void *arg)
{
    (void)arg;
    until_stage(2);
    pthread_mutex_lock(&S);     // free again: the taker is done with it
    __atomic_store_n(&holder_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    word_lock(&F);              // [W] F while holding S: closes the cycle
    word_unlock(&F);
    pthread_mutex_unlock(&S);
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    void *(*body[3])(void *) = { taker, contender, holder };
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, body[i], NULL);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    puts("futex_lock_first_contended: done");
    return 0;
}
