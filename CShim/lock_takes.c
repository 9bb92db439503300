// lock_takes.c - posts and wakes that release what their thread took.
//
// An event depends on the waits of the contexts its thread holds
// (EventRules, rule 1): a flag set and woken under mutex L while its waiter
// sleeps holding L is a deadlock. A lock's release is different. A thread
// that waits for it waits for its holder, and the holder was not waiting to
// enter a context it entered before taking the lock: it held the lock only
// after. So for the release of something the thread took, the contexts
// entered before the take give no dependency. Two kinds of object are
// released by an event rather than by an unlock: futex words and
// semaphores.
//
// Futex words. A lock built on a futex word (GLib's GMutex, Rust's std
// Mutex, most hand-made futex locks: 0 free, 1 taken, 2 taken with
// sleepers) makes a system call only under contention: FUTEX_WAIT when a
// taker must sleep, FUTEX_WAKE when its holder releases it while others
// sleep. An uncontended take is invisible. GStreamer's stream lock (a
// pthread mutex) around GLib's g_slice lock (a futex word), taken in that
// order by every thread, was reported as a cycle whenever the slice lock
// was contended (Examples/futex_lock_under_mutex).
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
//
// Semaphores (other than binary ones, which sem_hooks.c holds as locks).
// Every take is seen: a wait that returned. A post by the thread whose
// last take of that semaphore returned with contexts it still holds gives
// back a token it took inside them, so a waiter holding one of them cannot
// be waiting for that token: the contexts count as entered before the take.
// A semaphore made with no token (sem_init 0) counts as taken by its maker,
// at sem_init: its first post returns the token nobody else could have
// had. Libraries pass such a semaphore's one token around like a lock
// (VLC's avcodec decoder holds it from its open and posts it around each
// call into FFmpeg, whose frame threads wait for it and post it back while
// they hold FFmpeg's buffer mutex; Examples/sem_zero_token_lock). A post by
// any other thread (a signal, a release on the holder's behalf) keeps every
// dependency: seed_completion and seed_page_lock stay reported.
// Condvars (cond_checks.c). A thread that checked a condvar's predicate
// in a critical section at a check site, and later signals it from another
// one, gives back what it took there if the condvar builds a lock: the
// contexts it held when the check ended are marked for that signal
// (DEPT_HELD_BEFORE_CHECK, with the check's site), and the core decides per
// waiter whether the signal is that lock's release. Keyed by the mutex the
// check was made with: the check site knows no condvar instance, and a
// signal counts only when its condvar's latest wait was with that mutex
// (several locks of one class, taken hand over hand, each give back their
// own).
// All three: a take counts as made inside the contexts held then only while
// none of them has been released since (dept_takes_left, which the release
// fast path leaves to the full one): a worker that takes the token under
// L, unlocks L and locks it again before its post held the token while it
// took L, and its post depends on L (Examples/sem_token_relock).
#include "shim.h"

static struct dept_take *find(struct dept_thread *t, uintptr_t word) {
    for (uint32_t i = 0; i < DEPT_TAKES; i++)
        if (t->takes[i].word == word) return &t->takes[i];
    return 0;
}

// takes_watch: the largest held count of a recorded take.
static void rewatch(struct dept_thread *t) {
    uint32_t w = 0;
    for (uint32_t i = 0; i < DEPT_TAKES; i++)
        if (t->takes[i].word && t->takes[i].nheld > w) w = t->takes[i].nheld;
    t->takes_watch = w;
}

static uint32_t take_seen(struct dept_thread *t, uintptr_t word, uint32_t check, uint32_t cond) {
    struct dept_take *k = find(t, word);
    // A taker that loops (woken, the word taken again by another, asleep
    // again) took it at its last return.
    if (!k) k = &t->takes[t->ntakes++ % DEPT_TAKES];
    *k = (struct dept_take){ word, t->nheld, check, cond };
    rewatch(t);
    return (uint32_t)(k - t->takes);
}

void dept_take_seen(struct dept_thread *t, uintptr_t word) { take_seen(t, word, 0, 0); }

uint32_t dept_cond_take_seen(struct dept_thread *t, uint32_t mutex_inst, uint32_t cond_cls, uint32_t check) {
    return take_seen(t, DEPT_TAKE_COND(mutex_inst), check, cond_cls);
}

void dept_take_forget(struct dept_thread *t, uintptr_t obj) {
    struct dept_take *k = find(t, obj);
    if (k) { k->word = 0; rewatch(t); }
}

// A take made inside held[i] keeps only the contexts below it: those are
// still the ones it was made inside. Every release of a held entry comes
// here (or stays above takes_watch), so a record's first nheld entries are
// always the very acquisitions it was made inside.
void dept_takes_left(struct dept_thread *t, uint32_t i) {
    for (uint32_t j = 0; j < DEPT_TAKES; j++) {
        struct dept_take *k = &t->takes[j];
        if (k->word && k->nheld > i) k->nheld = i;
    }
    rewatch(t);
}

static void learn_lock_class(uint32_t cls) {
    if (dept_class_futex_lock(cls)) return;
    dept_class_mark_futex_lock(cls);
    dept_core_lock();
    dept_core_futex_lock_class(cls);
    dept_core_unlock();
}

// How many of the held contexts the recorded take of obj was made inside
// (dept_takes_left keeps that exact); the record is used up.
static uint32_t inside_take(struct dept_thread *t, struct dept_take *k) {
    uint32_t before = k->nheld <= t->nheld ? k->nheld : 0;
    k->word = 0;
    rewatch(t);
    return before;
}

static bool mark(struct dept_thread *t, uint32_t before, uint32_t flag) {
    for (uint32_t i = 0; i < before; i++) t->held[i].flags |= flag;
    return before > 0;
}

bool dept_futex_mark_before_take(struct dept_thread *t, uintptr_t word, uint32_t cls) {
    struct dept_take *k = find(t, word);
    if (k) {
        learn_lock_class(cls);
        return mark(t, inside_take(t, k), DEPT_HELD_BEFORE_TAKE);
    }
    // Unseen take: every context.
    return mark(t, t->nheld, dept_class_futex_lock(cls) ? DEPT_HELD_BEFORE_TAKE : DEPT_HELD_UNSURE_TAKE);
}

bool dept_sem_mark_before_take(struct dept_thread *t, uintptr_t sem) {
    struct dept_take *k = find(t, sem);
    return k && mark(t, inside_take(t, k), DEPT_HELD_BEFORE_TAKE);
}

uint32_t dept_cond_mark_before_check(struct dept_thread *t, uint32_t mutex_inst, uint32_t cond_cls) {
    struct dept_take *k = mutex_inst ? find(t, DEPT_TAKE_COND(mutex_inst)) : 0;
    if (!k || k->cond != cond_cls) return 0;
    uint32_t check = k->check;
    return mark(t, inside_take(t, k), DEPT_HELD_BEFORE_CHECK) ? check : 0;
}

void dept_take_unmark(struct dept_thread *t) {
    for (uint32_t i = 0; i < t->nheld; i++)
        t->held[i].flags &= ~(uint32_t)(DEPT_HELD_BEFORE_TAKE | DEPT_HELD_UNSURE_TAKE | DEPT_HELD_BEFORE_CHECK);
}
