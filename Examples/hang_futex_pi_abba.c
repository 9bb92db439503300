// dept-example: hang_futex_pi_abba
// expect: deadlock
// objects: A B
// summary: Two priority-inheritance futex locks taken in opposite orders (the protocol of Swift's Synchronization.Mutex): X holds A (taken in user space, never seen) and sleeps in FUTEX_LOCK_PI on B; Y holds B and asks for A; the kernel finds the cycle and fails Y's FUTEX_LOCK_PI with EDEADLK, on which the program dies (as Swift's Mutex does: "Recursive call to lock Mutex"); the deadlock must be reported before that.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/hang_futex_pi_abba Examples/hang_futex_pi_abba.c
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

static uint32_t A, B;       // 0: free; else the owner's TID (| FUTEX_WAITERS)
static atomic_int x_holds_a, y_holds_b, main_joins;

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
    pi_lock(&A);                            // uncontended: unseen
    atomic_store(&x_holds_a, 1);
    while (!atomic_load(&y_holds_b)) sched_yield();
    pi_lock(&B);                            // sleeps in the kernel: Y holds B
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    while (!atomic_load(&x_holds_a)) sched_yield();
    pi_lock(&B);                            // uncontended: unseen
    atomic_store(&y_holds_b, 1);
    while (!(__atomic_load_n(&B, __ATOMIC_ACQUIRE) & FUTEX_WAITERS)) sched_yield();   // X sleeps on B
    // The report comes with the EDEADLK: main must be in its join by then
    // to be listed blocked (it was not, now and then, on a busy machine).
    while (!atomic_load(&main_joins)) sched_yield();
    until_in_futex(getpid());
    pi_lock(&A);                            // EDEADLK from the kernel
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t x, y;
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    atomic_store(&main_joins, 1);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("hang_futex_pi_abba: unreachable");
    return 0;
}
