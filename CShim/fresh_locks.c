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
// latch's acquisition was then judged a wait. A full set gives up one of
// its marks, chosen by the new instance's id, which only loses that
// exemption. A set is one cache line: with a line and a half per set, the
// mark and the claim were 15% of the time of a program making millions of
// mutexes.
#include "shim.h"

#define FRESH_SETS 1024
#define FRESH_WAYS 4

static struct fresh_mark {
    _Atomic uintptr_t addr;
    // Who made it and under what: the initialising thread, the instance
    // and the chain of the locks that thread held then, in one hash.
    _Atomic uint64_t made;
} fresh[FRESH_SETS][FRESH_WAYS] __attribute__((aligned(64)));
_Static_assert(sizeof fresh[0] == 64, "a set is one cache line");

// Placed by address: mutexes made one after another (a pool, a loop of
// mallocs) have neighbouring sets, which a loop that makes and then locks
// them walks in memory order (a hashed set was a cache miss per mark and
// per claim). The bits above 64 KiB are folded in, so objects a page or a
// few pages apart still spread over the sets.
static inline struct fresh_mark *fresh_set(uintptr_t addr) {
    return fresh[((addr >> 6) ^ (addr >> 16)) & (FRESH_SETS - 1)];
}

static inline __attribute__((always_inline)) uint64_t made_by(const struct dept_thread *t, uint32_t inst) {
    uint64_t held = t->nheld ? dept_mix(t->held[t->nheld - 1].chain, t->nheld) : DEPT_CHAIN_SEED;
    return dept_mix(dept_mix(held, t->tid), inst);
}

void dept_fresh_mark(uintptr_t addr, uint32_t inst, struct dept_thread *t) {
    struct fresh_mark *set = fresh_set(addr), *f = &set[inst & (FRESH_WAYS - 1)];
    for (int w = 0; w < FRESH_WAYS; w++) {
        uintptr_t a = atomic_load_explicit(&set[w].addr, memory_order_relaxed);
        if (a == addr || a == 0) { f = &set[w]; break; }
    }
    atomic_store_explicit(&f->addr, 0, memory_order_relaxed);
    atomic_store_explicit(&f->made, made_by(t, inst), memory_order_relaxed);
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
    uint64_t made = atomic_load_explicit(&f->made, memory_order_acquire);
    // A mark rewritten since (its address's next init, or a full set's
    // way given to another mutex) is not ours to judge by.
    if (atomic_load_explicit(&f->addr, memory_order_relaxed) != addr) return DEPT_FRESH_NO;
    // Emptied by a plain store, not a compare-and-swap: this is the first
    // acquisition of a mutex made a moment ago, so its creator makes it
    // (scale_objects: the swap was a twentieth of the run, a locked
    // instruction on a line that had just been written). Two threads that
    // take the mark at the same instant both see it: the creator's is then
    // judged OWN and the other's FIRST, a wait all the same. The creator's
    // exemption is wrong only if the other thread then wins the mutex, which
    // means the creator published it unlocked and both raced for it within
    // the same few instructions (README's Known limits names that case).
    // A plain store may also empty a way just given to another mutex: that
    // mutex loses its exemption, as a full set's mark does.
    atomic_store_explicit(&f->addr, 0, memory_order_relaxed);
    return made == made_by(t, inst) ? DEPT_FRESH_OWN : DEPT_FRESH_FIRST;
}
