// dept-example: futex_wait_outer_lock
// expect: potential
// objects: L ready
// summary: An event built on a raw futex word: a signaller takes mutex L, sets ready and wakes it with FUTEX_WAKE; later a waiter waits on ready with FUTEX_WAIT while holding L (the word is already set, the call returns at once); in the other order the waiter sleeps holding L and the signaller blocks on L forever.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static uint32_t ready;

static void *signaller(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-signaller");
    pthread_mutex_lock(&L);
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &ready, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);   // [E] ready, under L
    pthread_mutex_unlock(&L);
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-waiter");
    pthread_mutex_lock(&L);
    // [W] ready while holding L: FUTEX_WAIT may sleep (here the word is
    // already 1 and the call fails with EAGAIN at once).
    syscall(SYS_futex, &ready, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    pthread_mutex_unlock(&L);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, signaller, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, waiter, NULL);
    pthread_join(t, NULL);
    puts("futex_wait_outer_lock: done");
    return 0;
}
