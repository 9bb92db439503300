// dept-example: futex_pi_released
// expect: silent
// objects: F M
// summary: A priority-inheritance futex lock F taken in the kernel (FUTEX_LOCK_PI on a word free by then, as a slow path that lost its race does: seen) and released in user space (a store, unseen): thread X then takes mutex M, and later thread Y takes M then F (in the kernel too); X no longer held F when it took M, which dept learns from F's word (no longer X's TID): no cycle F -> M -> F.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint32_t F;          // 0: free; else the owner's TID (| FUTEX_WAITERS)
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;

static void pi_unlock(uint32_t *w)
{
    uint32_t mine = (uint32_t)gettid();
    if (__atomic_compare_exchange_n(w, &mine, 0, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        return;
    syscall(SYS_futex, w, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
}

// The slow path of a PI lock (Swift's Mutex after its spin): FUTEX_LOCK_PI
// on a word that is free by then. The kernel makes the caller its owner;
// no waiter is left, so the release is a plain store of 0: unseen.
static void lock_in_kernel(uint32_t *w)
{
    while (syscall(SYS_futex, w, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0) != 0)
        if (errno != EINTR && errno != EAGAIN) { perror("FUTEX_LOCK_PI"); abort(); }
}

static void *ctx_x(void *arg)
{
    (void)arg;
    lock_in_kernel(&F);     // [S] F, seen
    pi_unlock(&F);          // unseen release
    pthread_mutex_lock(&M); // not under F
    pthread_mutex_unlock(&M);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&M);
    lock_in_kernel(&F);     // [W] F while holding M: M -> F
    pi_unlock(&F);
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    puts("futex_pi_released: done");
    return 0;
}
