// fresh_locks.c - mutexes no other thread has seen yet.
//
// A mutex that a thread initialised and now takes for the first time, with
// no other thread having come near it in between, cannot be waited for:
// nobody else can hold what nobody else has seen. Code that creates a lock
// already locked, under the lock of the registry it is about to be put in
// (GDAL's CPLCreateOrAcquireMutex under its global mutex, ghostscript's
// monitors under its cache lock), and elsewhere holds such a lock while it
// takes the registry lock, is correct; at the level of classes (all of
// GDAL's mutexes come from one init site) it looked like an inversion, and
// ThreadSanitizer and Helgrind, which order instances, never report it. So
// that first acquisition is an [S] with no [W]: it adds no dependency on
// the locks held around it. Every later acquisition, and the first one of a
// thread that did not initialise it, is an ordinary wait.
//
// Only while the creator holds what it held at the init, no lock taken
// since: a mutex initialised with nothing held and locked after taking B
// may have been published in between, and a thread that locked it then
// and waits for B deadlocks with the creator (mutex_reuse_same_thread.c).
// Initialised and locked under the same locks, the mutex can only have been
// taken by another thread if the creator published it unlocked under those
// locks and locked it just after: README's Known limits.
//
// Marks are written at pthread_mutex_init and emptied by the first
// acquisition of that address by any thread (lock, timed lock or trylock:
// all of them reach dept_fresh_claim, since an init invalidates the
// acquisition caches of its address). They live in sets of ways chosen by
// the address, so a pool initialised in one go (page latches a page apart,
// buckets of a table) keeps every mark: one slot per hash lost a latch's
// mark to the next one's init whenever two hashes met, and the first
// latch's acquisition was then judged a wait. A full set gives up its
// oldest mark (lowest instance), which only loses that exemption.
#include "shim.h"

#define FRESH_SETS 1024    // fresh_set takes the top 10 bits of a hash
#define FRESH_WAYS 4

static struct fresh_mark {
    _Atomic uintptr_t addr;
    _Atomic uint64_t owner;   // instance << 32 | tid of the initialising thread
    _Atomic uint64_t held;    // the chain of the locks it held then
} fresh[FRESH_SETS][FRESH_WAYS];

// The product's high bits: its low ones depend only on the address's low
// bits, which mutexes a page or a malloc chunk apart share.
static inline struct fresh_mark *fresh_set(uintptr_t addr) { return fresh[dept_mix(addr, 0x66726573) >> 54]; }

static inline uint64_t held_now(const struct dept_thread *t) {
    return t->nheld ? dept_mix(t->held[t->nheld - 1].chain, t->nheld) : DEPT_CHAIN_SEED;
}

void dept_fresh_mark(uintptr_t addr, uint32_t inst, struct dept_thread *t) {
    struct fresh_mark *set = fresh_set(addr), *f = &set[0];
    uint64_t oldest = UINT64_MAX;
    for (int w = 0; w < FRESH_WAYS; w++) {
        uintptr_t a = atomic_load_explicit(&set[w].addr, memory_order_relaxed);
        if (a == addr || a == 0) { f = &set[w]; break; }
        uint64_t o = atomic_load_explicit(&set[w].owner, memory_order_relaxed);
        if (o < oldest) { oldest = o; f = &set[w]; }
    }
    atomic_store_explicit(&f->addr, 0, memory_order_relaxed);
    atomic_store_explicit(&f->owner, (uint64_t)inst << 32 | t->tid, memory_order_relaxed);
    atomic_store_explicit(&f->held, held_now(t), memory_order_relaxed);
    atomic_store_explicit(&f->addr, addr, memory_order_release);
}

enum dept_fresh dept_fresh_claim(uintptr_t addr, uint32_t inst, struct dept_thread *t) {
    struct fresh_mark *set = fresh_set(addr), *f = 0;
    uintptr_t a = 0;
    for (int w = 0; w < FRESH_WAYS && !f; w++) {
        a = atomic_load_explicit(&set[w].addr, memory_order_acquire);
        if (a == addr) f = &set[w];
    }
    if (LIKELY(!f)) return DEPT_FRESH_NO;
    uint64_t owner = atomic_load_explicit(&f->owner, memory_order_relaxed);
    uint64_t held = atomic_load_explicit(&f->held, memory_order_relaxed);
    // Whoever empties the mark is the first to acquire the mutex.
    if (!atomic_compare_exchange_strong_explicit(&f->addr, &a, 0, memory_order_acq_rel, memory_order_relaxed))
        return DEPT_FRESH_NO;
    return owner == ((uint64_t)inst << 32 | t->tid) && held == held_now(t) ? DEPT_FRESH_OWN : DEPT_FRESH_FIRST;
}
