// cond_checks.c - where a thread checks a condvar's predicate.
//
// Runtimes build their big locks from a mutex, a condvar and a flag (OCaml
// 4's master lock, st_masterlock: acquire = lock m; while (busy)
// cond_wait(free, m); busy = 1; unlock m; release = lock m; busy = 0;
// unlock m; cond_signal(free)). A thread that waits for such a lock waits
// for its holder's release, and the holder entered every context it held
// before its acquire without holding the lock: like a mutex's release, the
// release signal does not depend on those. Read as plain condvar signals
// they did: OCaml's Condition.wait re-takes the program's mutex M inside
// the runtime's blocking section and then acquires the master lock, so
// its next release of the master lock is a signal made holding M, while
// another thread holds M and waits for the master lock (Mutex.lock blocks
// outside it, then acquires it): a cycle that cannot block, reported in
// 2 runs of 3 (Examples/cond_lock_release).
//
// The acquire shows itself by where it takes the mutex: a call site from
// which some thread, holding the mutex it took there, waited on the
// condvar, the lock and the wait being called by one function (its unwind
// information says so). A wrapper (a `my_lock` or `my_wait` every critical
// section goes through) makes no site: with one, every section of the
// program would be the acquire, and a waiter for another predicate could
// not be told apart. Every later pass through a site is a check of the
// condvar's predicate, whether it sleeps or not (the holder of a free lock
// never waits). When the check ends (the mutex is released), the thread has
// taken what its next signal of that condvar gives back (lock_takes.c): the
// contexts it entered before are marked for that signal, with the check's
// site, when the condvar's latest wait was with that same mutex (per-object
// locks of one class are told apart by their mutexes). The core
// (CycleJudge.conditionLockRule) then drops the dependency only for a
// waiter that waits in a check at that same site, an acquirer of the same
// lock: a thread that waits for a different predicate on the same condvar
// (a pool's "all done" beside the workers' "work to do") still waits for
// that signal.
//
// A site becomes a check site at its first wait that returns: passes
// before that were not seen as checks, and a signal made then keeps its
// dependencies. Acquisitions at a check site are cached, their entries
// marked (DEPT_ACQ_COND_CHECK, which lock_published reads); the acquisition
// caches filled before a site was learnt are dropped then (dept_obj_gen),
// once per site.
#include "shim.h"
#include "unwinder.h"

// Open addressing, never removed from: a program has a handful of check
// sites. Keys are check sites (never 0); a full table learns no more.
#define CHECK_SLOTS 1024
static struct {
    _Atomic uint32_t site;
    _Atomic uint32_t cond;   // 0 while being written
} checks[CHECK_SLOTS];

uint32_t dept_cond_check_site(uint32_t mutex_cls, uintptr_t pc) {
    uint32_t s = (uint32_t)dept_mix_pc(dept_class_key(0x434b534900000000ull, mutex_cls), pc);
    return s ? s : 1;
}

DEPT_HIDDEN extern _Atomic uint32_t dept_unload_generation;

// Whether the mutex taken at lock_pc and the wait at wait_pc are calls of
// one function: two searches of unwind tables, asked at every condvar wait
// (condvar_pingpong, callgrind: 640 of a round trip's 5,950 instructions).
// A thread waits from a few places, so its last answers are kept, by the
// pair, while no module is unloaded (another may be loaded where it was).
static bool same_function(struct dept_thread *t, uintptr_t lock_pc, uintptr_t wait_pc) {
    uint32_t gen = atomic_load_explicit(&dept_unload_generation, memory_order_relaxed);
    struct dept_same_fn *m = &t->same_fn[(lock_pc ^ (wait_pc >> 2)) & 3];
    if (m->lock_pc == lock_pc && m->wait_pc == wait_pc && m->gen == gen) return m->same;
    bool same = dept_same_function(lock_pc, wait_pc);
    *m = (struct dept_same_fn){ lock_pc, wait_pc, gen, same };
    return same;
}

uint32_t dept_cond_check_candidate(struct dept_thread *t, uint32_t mutex_cls, uintptr_t lock_pc, uintptr_t wait_pc) {
    if (!lock_pc || !wait_pc || !same_function(t, lock_pc, wait_pc)) return 0;
    return dept_cond_check_site(mutex_cls, lock_pc);
}

// The slot that holds site, else the first free one on its probe path;
// CHECK_SLOTS when neither (the table is full).
static uint32_t slot_of(uint32_t site) {
    for (uint32_t i = 0; i < CHECK_SLOTS; i++) {
        uint32_t k = (site + i) & (CHECK_SLOTS - 1);
        uint32_t cur = atomic_load_explicit(&checks[k].site, memory_order_acquire);
        if (!cur || cur == site) return k;
    }
    return CHECK_SLOTS;
}

bool dept_cond_check_learn(uint32_t site, uint32_t cond_cls, uint32_t mutex_cls) {
    if (!site) return false;
    for (;;) {
        uint32_t k = slot_of(site), free = 0;
        if (k == CHECK_SLOTS) return false;
        // Another thread may take the free slot first, for this site or
        // another: look again.
        if (!atomic_compare_exchange_strong(&checks[k].site, &free, site)) {
            if (free == site) return true;
            continue;
        }
        atomic_store_explicit(&checks[k].cond, cond_cls, memory_order_release);
        dept_class_mark_cond_mutex(mutex_cls);
        // Acquisitions at this site cached before now are checks too.
        atomic_fetch_add(&dept_obj_gen, 1);
        return true;
    }
}

static uint32_t cond_of(uint32_t site) {
    uint32_t k = slot_of(site);
    if (k == CHECK_SLOTS || atomic_load_explicit(&checks[k].site, memory_order_acquire) != site) return 0;
    return atomic_load_explicit(&checks[k].cond, memory_order_acquire);
}

uint32_t dept_cond_check_at(uint32_t mutex_cls, uintptr_t pc) {
    return pc ? cond_of(dept_cond_check_site(mutex_cls, pc)) : 0;
}

void dept_cond_check_ended(struct dept_thread *t, uint32_t mutex_cls, uint32_t inst, uintptr_t pc) {
    // The thread's last check site answers a loop around one pop without
    // the hash and the probe (a site's condvar never changes).
    if (t->check_pc != pc || t->check_mutex_cls != mutex_cls) {
        uint32_t site = dept_cond_check_site(mutex_cls, pc), cond = cond_of(site);
        if (!cond) return;
        t->check_pc = pc;
        t->check_mutex_cls = mutex_cls;
        t->check_site = site;
        t->check_cond = cond;
    }
    // The same take as last time (a consumer's every pop): nothing changes.
    const struct dept_take *k = &t->takes[t->check_take % DEPT_TAKES];
    if (k->word == DEPT_TAKE_COND(inst) && k->nheld == t->nheld && k->check == t->check_site
        && k->cond == t->check_cond)
        return;
    t->check_take = dept_cond_take_seen(t, inst, t->check_cond, t->check_site);
}
