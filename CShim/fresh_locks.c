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
// One slot per address hash, written at pthread_mutex_init and emptied by
// the first acquisition of that address by any thread (lock, timed lock or
// trylock: all of them reach dept_fresh_claim, since an init invalidates
// the acquisition caches of its address). A slot overwritten by another
// init in between only loses the exemption: the acquisition is then judged
// as a wait, as before.
#include "shim.h"

#define FRESH_SLOTS 4096

static struct {
    _Atomic uintptr_t addr;
    _Atomic uint64_t owner;   // instance << 32 | tid of the initialising thread
    _Atomic uint64_t held;    // the chain of the locks it held then
} fresh[FRESH_SLOTS];

static inline uint32_t fresh_slot(uintptr_t addr) { return (uint32_t)(dept_mix(addr, 0x66726573) & (FRESH_SLOTS - 1)); }

static inline uint64_t held_now(const struct dept_thread *t) {
    return t->nheld ? dept_mix(t->held[t->nheld - 1].chain, t->nheld) : DEPT_CHAIN_SEED;
}

void dept_fresh_mark(uintptr_t addr, uint32_t inst, struct dept_thread *t) {
    uint32_t i = fresh_slot(addr);
    atomic_store_explicit(&fresh[i].addr, 0, memory_order_relaxed);
    atomic_store_explicit(&fresh[i].owner, (uint64_t)inst << 32 | t->tid, memory_order_relaxed);
    atomic_store_explicit(&fresh[i].held, held_now(t), memory_order_relaxed);
    atomic_store_explicit(&fresh[i].addr, addr, memory_order_release);
}

enum dept_fresh dept_fresh_claim(uintptr_t addr, uint32_t inst, struct dept_thread *t) {
    uint32_t i = fresh_slot(addr);
    uintptr_t a = atomic_load_explicit(&fresh[i].addr, memory_order_acquire);
    if (LIKELY(a != addr)) return DEPT_FRESH_NO;
    uint64_t owner = atomic_load_explicit(&fresh[i].owner, memory_order_relaxed);
    uint64_t held = atomic_load_explicit(&fresh[i].held, memory_order_relaxed);
    // Whoever empties the slot is the first to acquire the mutex.
    if (!atomic_compare_exchange_strong_explicit(&fresh[i].addr, &a, 0, memory_order_acq_rel, memory_order_relaxed))
        return DEPT_FRESH_NO;
    return owner == ((uint64_t)inst << 32 | t->tid) && held == held_now(t) ? DEPT_FRESH_OWN : DEPT_FRESH_FIRST;
}
