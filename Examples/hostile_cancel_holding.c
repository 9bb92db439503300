// dept-example: hostile_cancel_holding
// expect: silent
// objects: L M C
// summary: 20 times in turn, a thread takes L, then M, and enters pthread_cond_wait(C, M) with a cancellation already pending (sent while it had cancellation disabled), so glibc acts on it inside the wait; its cleanup handler releases M (which glibc re-takes on cancellation) and L. Correct code, nothing to report.
//
// Hostile because: the cancellation unwinds through dept's pthread_cond_wait
// hook, whose own cleanup runs through the personality routine of the copy
// of GCC's unwinder linked into libdept.so. That routine sets registers with
// _Unwind_SetGR, which aborts until that copy has unwound once, and with
// another unwinder taking every stack (the default dwarf reader, or
// libunwind) nothing else makes it unwind: the process died of SIGABRT.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#define ROUNDS 20

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t C = PTHREAD_COND_INITIALIZER;
static atomic_int ready;     // the waiter holds L and M
static atomic_int sent;      // its cancellation is pending
static int cleanups;         // guarded by M while the handler runs, read after the join

static void release_both(void *arg)
{
    (void)arg;
    cleanups++;
    pthread_mutex_unlock(&M);
    pthread_mutex_unlock(&L);
}

// Cancellation is disabled until the request is pending, so glibc acts on
// it inside pthread_cond_wait (where it enables asynchronous cancellation),
// not through a signal that interrupts the blocked thread.
static void *waiter(void *arg)
{
    (void)arg;
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    pthread_mutex_lock(&L);
    pthread_mutex_lock(&M);
    pthread_cleanup_push(release_both, NULL);
    atomic_store(&ready, 1);
    while (!atomic_load(&sent)) sched_yield();
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    for (;;) pthread_cond_wait(&C, &M);     // only cancellation ends it
    pthread_cleanup_pop(0);
    return NULL;
}

int main(void)
{
    alarm(10);
    int cancelled = 0;
    for (int round = 0; round < ROUNDS; round++) {
        pthread_t t;
        atomic_store(&ready, 0);
        atomic_store(&sent, 0);
        if (pthread_create(&t, NULL, waiter, NULL) != 0) return 1;
        while (!atomic_load(&ready)) sched_yield();
        pthread_cancel(t);
        atomic_store(&sent, 1);
        void *ret;
        pthread_join(t, &ret);
        cancelled += ret == PTHREAD_CANCELED;
    }
    printf("hostile_cancel_holding: %d of %d cancelled, %d cleanups\n", cancelled, ROUNDS, cleanups);
    printf("hostile_cancel_holding: done\n");
    return 0;
}
