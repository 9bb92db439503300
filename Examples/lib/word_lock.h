// word_lock.h - a lock on a raw futex word with GLib's GMutex protocol
// (0 free, 1 taken, 2 taken with sleepers), not annotated: dept sees only
// its contended paths, a FUTEX_WAIT to sleep for it and a FUTEX_WAKE to
// release it with sleepers. Used by the futex_lock_* examples.
#ifndef EXAMPLES_WORD_LOCK_H
#define EXAMPLES_WORD_LOCK_H
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "in_futex.h"

static void word_lock(uint32_t *w)
{
    uint32_t free_ = 0;
    if (__atomic_compare_exchange_n(w, &free_, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
    while (__atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE) != 0)
        syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

static void word_unlock(uint32_t *w)
{
    if (__atomic_exchange_n(w, 0, __ATOMIC_RELEASE) != 1)
        syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

// Until the thread whose id *tid holds (0: not started yet) sleeps in
// futex(2): dept sees nothing of a word lock before that.
static void until_sleeping(int *tid)
{
    while (!__atomic_load_n(tid, __ATOMIC_ACQUIRE)) usleep(1000);
    until_in_futex(__atomic_load_n(tid, __ATOMIC_ACQUIRE));
}

#endif
