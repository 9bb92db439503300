// futex_takes.c - futex words that behave as locks. A lock built on a
// futex word (GLib's GMutex, Rust's std Mutex, most hand-made futex locks:
// 0 free, 1 taken, 2 taken with sleepers) makes a system call only under
// contention: FUTEX_WAIT when a taker must sleep, FUTEX_WAKE when its
// holder releases it while others sleep. An uncontended take is invisible.
//
// A FUTEX_WAKE is an event, and an event depends on the waits of the
// contexts its thread holds (EventRules, rule 1): a flag set and woken under
// mutex L while its waiter sleeps holding L is a deadlock. A lock's release
// is different. A thread that waits for it waits for its holder, and the
// holder was not waiting to enter a context it entered before taking the
// lock: it held the lock only after. So for a lock-like word the contexts
// entered before the take give no dependency. GStreamer's stream lock (a
// pthread mutex) around GLib's g_slice lock (a futex word), taken in that
// order by every thread, was reported as a cycle whenever the slice lock
// was contended (Examples/futex_lock_under_mutex).
//
// What a word is: it behaves as a lock once a thread woken from it wakes it
// itself, before it sleeps on it again (a taker that slept releases what it
// took), learned per class. A flag, a latch or a semaphore's waiters do not
// wake what they waited on. Where the thread took the word is known only if
// it slept for it: the contexts it held when its last FUTEX_WAIT on the word
// returned. Taken without sleeping, the take is unseen, and every held
// context counts as before it: a short critical section inside the held
// locks is the common case, and a dependency kept wrongly is a false report.
// Until a class has shown that it is a lock, a wake whose take was unseen
// keeps its dependencies, marked unsure (DEPT_HELD_UNSURE_TAKE): the core
// holds back a cycle through one and judges it again when the class turns
// out to be a lock, which is often just after (the waiter the wake was for
// takes the lock and releases it), or reports it at exit.
// Recall cost: a futex lock taken unseen *before* a context and released
// inside it (not in LIFO order) gives no dependency on that context.
#include "shim.h"

static struct dept_futex_take *find(struct dept_thread *t, uintptr_t word) {
    for (uint32_t i = 0; i < DEPT_FUTEX_TAKES; i++)
        if (t->futex_takes[i].word == word) return &t->futex_takes[i];
    return 0;
}

static uint64_t top_chain(const struct dept_thread *t, uint32_t n) {
    return n ? t->held[n - 1].chain : DEPT_CHAIN_SEED;
}

void dept_futex_woken(struct dept_thread *t, uintptr_t word) {
    struct dept_futex_take *k = find(t, word);
    // A taker that loops (woken, the word taken again by another, asleep
    // again) took it at its last return.
    if (!k) k = &t->futex_takes[t->nfutex_takes++ % DEPT_FUTEX_TAKES];
    *k = (struct dept_futex_take){ word, top_chain(t, t->nheld), t->nheld };
}

static void learn_lock_class(uint32_t cls) {
    if (dept_class_futex_lock(cls)) return;
    dept_class_mark_futex_lock(cls);
    dept_core_lock();
    dept_core_futex_lock_class(cls);
    dept_core_unlock();
}

bool dept_futex_mark_before_take(struct dept_thread *t, uintptr_t word, uint32_t cls) {
    struct dept_futex_take *k = find(t, word);
    uint32_t before = t->nheld;   // unseen take: every context
    uint32_t mark = DEPT_HELD_BEFORE_TAKE;
    if (k) {
        learn_lock_class(cls);
        if (k->nheld <= t->nheld && top_chain(t, k->nheld) == k->below) before = k->nheld;
        k->word = 0;
    } else if (!dept_class_futex_lock(cls)) {
        mark = DEPT_HELD_UNSURE_TAKE;
    }
    for (uint32_t i = 0; i < before; i++) t->held[i].flags |= mark;
    return before > 0;
}

void dept_futex_unmark(struct dept_thread *t) {
    for (uint32_t i = 0; i < t->nheld; i++)
        t->held[i].flags &= ~(uint32_t)(DEPT_HELD_BEFORE_TAKE | DEPT_HELD_UNSURE_TAKE);
}
