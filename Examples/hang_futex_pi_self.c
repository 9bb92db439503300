// dept-example: hang_futex_pi_self
// expect: deadlock
// objects: A
// summary: A priority-inheritance futex lock asked for again by the thread that holds it (taken in user space, never seen), as `m.withLock { m.withLock { } }` does with Swift's Mutex: the kernel fails FUTEX_LOCK_PI with EDEADLK and the program dies of it ("Recursive call to lock Mutex"); dept reports the thread waiting for itself first.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/hang_futex_pi_self Examples/hang_futex_pi_self.c
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "in_futex.h"

static uint32_t A;          // 0: free; else the owner's TID (| FUTEX_WAITERS)
static atomic_int main_joins;

static void pi_lock(uint32_t *w)
{
    uint32_t free_word = 0;
    if (__atomic_compare_exchange_n(w, &free_word, (uint32_t)gettid(), 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    while (syscall(SYS_futex, w, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0) != 0) {
        if (errno == EDEADLK) {
            fputs("Fatal error: Recursive call to lock Mutex\n", stderr);
            abort();
        }
        if (errno != EINTR && errno != EAGAIN) { perror("FUTEX_LOCK_PI"); abort(); }
    }
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pi_lock(&A);            // uncontended: unseen
    // The report comes with the EDEADLK: main must be in its join by then
    // to be listed blocked (a sleep of 200 ms was most often enough).
    while (!atomic_load(&main_joins)) sched_yield();
    until_in_futex(getpid());
    pi_lock(&A);            // EDEADLK: it holds A itself
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t x;
    pthread_create(&x, NULL, ctx_x, NULL);
    atomic_store(&main_joins, 1);
    pthread_join(x, NULL);
    puts("hang_futex_pi_self: unreachable");
    return 0;
}
