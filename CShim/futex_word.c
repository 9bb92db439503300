// futex_word.c - what a futex word says about its lock: a priority-
// inheritance futex word holds its owner's TID. Read by the model (is a
// futex lock a thread took still held?) and by the hang monitor (who owns
// the lock a thread sleeps on?), below the hooks that record the locks.
#include "shim.h"
#include <errno.h>
#include <linux/futex.h>
#include <sys/uio.h>
#include <unistd.h>

// The memory of a lock released unseen may be gone by the time we look: it
// is read through the kernel, which fails instead of faulting. Where
// process_vm_readv is not allowed (a seccomp profile), `mapped` says whether
// the caller knows the word is mapped (a thread sleeps on it in the kernel).
static bool read_word(uintptr_t word, bool mapped, uint32_t *out) {
    static _Atomic int unavailable;
    if (!atomic_load_explicit(&unavailable, memory_order_relaxed)) {
        struct iovec local = { out, sizeof *out }, remote = { (void *)word, sizeof *out };
        int e = errno;
        ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
        int why = errno;
        errno = e;
        if (n == (ssize_t)sizeof *out) return true;
        if (why != EPERM && why != ENOSYS) return false;
        atomic_store_explicit(&unavailable, 1, memory_order_relaxed);
    }
    if (!mapped) return false;
    *out = __atomic_load_n((const uint32_t *)word, __ATOMIC_RELAXED);
    return true;
}

bool dept_futex_owner(uintptr_t word, int32_t *tid) {
    uint32_t v;
    if (!read_word(word, true, &v)) return false;
    *tid = (int32_t)(v & FUTEX_TID_MASK);
    return true;
}

// Unreadable counts as released: a lock wrongly kept would add dependencies.
bool dept_futex_hold_lost(struct dept_thread *t, const struct dept_held *h) {
    uint32_t v;
    return !read_word(h->obj, false, &v) || (int32_t)(v & FUTEX_TID_MASK) != t->os_tid;
}

