// dept-example: futex_lock_released_under_mutex
// expect: potential
// objects: S F
// summary: A futex-word lock F (GLib's GMutex protocol) taken before mutex S and released inside it: the taker sleeps for F (so dept sees where it took F), then takes S, then releases F with FUTEX_WAKE while holding S; another thread holding S sleeps on F. F then S against S then F: an AB-BA deadlock between a futex lock and a mutex, reported although F's release is a lock's (futex_lock_under_mutex is its silent twin).
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/futex_lock_released_under_mutex Examples/futex_lock_released_under_mutex.c
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
static int sleeper_tid;

static void until_stage(int s)
{
    while (__atomic_load_n(&stage, __ATOMIC_ACQUIRE) < s) usleep(1000);
}

// Sleeps for F (main holds it), so its take is seen; then S; then releases
// F inside S: F's release depends on taking S.
static void *taker(void *arg)
{
    (void)arg;
    until_stage(1);
    __atomic_store_n(&sleeper_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    word_lock(&F);              // [W] F, then holds F
    pthread_mutex_lock(&S);     // [W] S while holding F
    word_unlock(&F);            // [E] F, under S (F is 2: FUTEX_WAKE)
    pthread_mutex_unlock(&S);
    __atomic_store_n(&stage, 2, __ATOMIC_RELEASE);
    return NULL;
}

// Sleeps on F while holding S.
static void *holder(void *arg)
{
    (void)arg;
    until_stage(3);
    pthread_mutex_lock(&S);
    __atomic_store_n(&sleeper_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    word_lock(&F);              // [W] F while holding S
    word_unlock(&F);
    pthread_mutex_unlock(&S);
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    pthread_create(&t[0], NULL, taker, NULL);
    pthread_create(&t[1], NULL, holder, NULL);
    word_lock(&F);
    __atomic_store_n(&stage, 1, __ATOMIC_RELEASE);
    until_sleeping(&sleeper_tid);
    word_unlock(&F);
    until_stage(2);
    __atomic_store_n(&sleeper_tid, 0, __ATOMIC_RELEASE);
    word_lock(&F);
    __atomic_store_n(&stage, 3, __ATOMIC_RELEASE);
    until_sleeping(&sleeper_tid);
    word_unlock(&F);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    puts("futex_lock_released_under_mutex: done");
    return 0;
}
