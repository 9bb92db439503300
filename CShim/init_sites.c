// init_sites.c - the class of an object initialised by an explicit init call
// (pthread_mutex_init, pthread_cond_init, sem_init, ...): its init call site,
// or, when that site is a wrapper's (a funnel), a longer prefix of its init
// call string. The rule is the core's (DeptCore/Funnels.swift): it is told
// the call strings of a sample of each site's inits and answers how many
// frames name the class. This file decides when to unwind and remembers the
// answers.
//
// Per site (return address of the init call), a count: the first 16 inits
// and every power of two are sampled (the init call string is captured and
// told), enough for a wrapper called from several places to show itself. A
// site the core called a funnel is unwound on every init from then on (its
// objects are classed by their callers). Answers are memoised per call
// string in the process-wide memo, keyed with the core's funnel generation,
// so a call string is asked again only when some prefix became a funnel.
#include "shim.h"
#include <dlfcn.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>

#define SITES (1u << 14)            // direct-mapped, lossy: a lost site is just sampled again
#define TAG_CALLSTRING 0x43414c4c00000000ull

struct site_state {
    _Atomic uintptr_t pc;
    _Atomic uint32_t count;
    _Atomic uint32_t funnel;        // 1: every init here is classed by its call string
    _Atomic uint32_t library;       // 0: not asked yet, else 1 + in_wrapper_library(pc)
};
static struct site_state sites[SITES];
static _Atomic uint32_t funnel_generation;


static struct site_state *site_of(uintptr_t pc) {
    struct site_state *s = &sites[(dept_hash_addr(pc) >> 20) & (SITES - 1)];
    uintptr_t old = atomic_load_explicit(&s->pc, memory_order_acquire);
    if (old != pc) {
        // Taken over by another site (rare): that site starts counting anew.
        atomic_store_explicit(&s->count, 0, memory_order_relaxed);
        atomic_store_explicit(&s->funnel, 0, memory_order_relaxed);
        atomic_store_explicit(&s->library, 0, memory_order_relaxed);
        atomic_store_explicit(&s->pc, pc, memory_order_release);
    }
    return s;
}

static uint64_t prefix_hash(const uintptr_t *pcs, uint32_t n) {
    uint64_t h = dept_pc_hash(pcs[0]);
    for (uint32_t i = 1; i < n; i++) h = dept_mix_pc(h, pcs[i]);
    return h;
}

// Libraries whose lock wrappers (std::mutex, NSLock, GMutex, QMutex, ...)
// call pthread_*_init for every lock of the program: an init site inside one
// of them names no class, its caller does.
static __attribute__((noinline)) bool in_wrapper_library(uintptr_t pc) {
    struct dl_find_object r;
    if (_dl_find_object((void *)pc, &r) != 0 || !r.dlfo_link_map || !r.dlfo_link_map->l_name) return false;
    const char *n = r.dlfo_link_map->l_name;
    // The program itself has no name here.
    if (!n[0]) return false;
    const char *base = strrchr(n, '/');
    base = base ? base + 1 : n;
    static const char *const libs[] = { "libstdc++", "libc++", "libFoundation", "libswiftCore", "libdispatch",
                                        "libswiftDispatch", "libglib-2", "libgthread", "libQt5Core", "libQt6Core",
                                        "libboost_thread", "libuv", "libapr-" };
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
        if (strncmp(base, libs[i], strlen(libs[i])) == 0) return true;
    return false;
}

// How many leading frames of an init call string lie in the object of the
// first, a known wrapper library's: none of them names the lock (GLib's
// g_rec_mutex_init makes its mutex two frames deep).
static uint32_t library_frames(const uintptr_t *f, int k) {
    struct dl_find_object r;
    if (_dl_find_object((void *)f[0], &r) != 0) return 1;
    int n = 1;
    while (n < k && f[n] >= (uintptr_t)r.dlfo_map_start && f[n] < (uintptr_t)r.dlfo_map_end) n++;
    return (uint32_t)n;
}

// Everything but the common init (a site of no wrapper library, long past
// its samples, no funnel): the site's first init, a sampled one, a
// funnel's. Apart from dept_init_class_key, and reached by a tail call, so
// that the common init does not pay this frame's set-up: it was a sixth of
// the init hook's instructions in a program making millions of mutexes.
// `count_inst`: this init's count at its site (high half) and its instance
// (low half), in one register so that the call stays a jump. The count is
// the one this init made: read again, another thread's increment in
// between could skip a sample.
static __attribute__((noinline)) uint64_t class_key_slow(uintptr_t site, uint64_t count_inst, struct site_state *st,
                                                         uintptr_t *name_pc, uintptr_t *prefix, uint32_t *nprefix) {
    uint32_t inst = (uint32_t)count_inst, n = (uint32_t)(count_inst >> 32);
    // Asked once per site: the answer costs a loader lookup and a string
    // search, and a program that makes millions of objects makes them at a
    // few sites.
    uint32_t library = atomic_load_explicit(&st->library, memory_order_relaxed);
    if (!library) {
        library = 1 + in_wrapper_library(site);
        atomic_store_explicit(&st->library, library, memory_order_relaxed);
    }
    bool seed = library == 2;
    bool sampled = n <= 16 || (n & (n - 1)) == 0;
    if (!seed && !sampled && !atomic_load_explicit(&st->funnel, memory_order_relaxed)) return site;

    // The init call string: frame 0 is the init call site itself.
    uintptr_t f[DEPT_FUNNEL_DEPTH + 1];
    int k = dept_caller_frames(f, DEPT_FUNNEL_DEPTH + 1);
    if (k < 1 || f[0] != site) return site;
    uint64_t memo = dept_mix(TAG_CALLSTRING ^ (uint64_t)seed, prefix_hash(f, (uint32_t)k));
    uint32_t gen = atomic_load_explicit(&funnel_generation, memory_order_acquire), at = 0;
    uint32_t depth = dept_known_get(memo, &at);
    if (!depth || at != gen || sampled) {
        // Where a call through a function pointer handed over to the code
        // that decided what the object is (the core weighs it).
        uint32_t cut = 0;
        for (int i = 1; i < k && !cut; i++)
            if (dept_after_indirect_call(f[i])) cut = (uint32_t)i;
        dept_core_lock();
        depth = dept_core_init_callstring(inst, f, (uint32_t)k, seed ? (int32_t)library_frames(f, k) : 0, cut, &gen);
        dept_core_unlock();
        atomic_store_explicit(&funnel_generation, gen, memory_order_release);
        if (depth) dept_known_put(memo, depth, gen);
    }
    if (depth < 1) depth = 1;
    if (depth > (uint32_t)k) depth = (uint32_t)k;
    if (depth > 1) atomic_store_explicit(&st->funnel, 1, memory_order_relaxed);
    memcpy(prefix, f, depth * sizeof *f);
    *nprefix = depth;
    *name_pc = f[depth - 1];
    return depth == 1 ? site : prefix_hash(f, depth);
}

uint64_t dept_init_class_key(uintptr_t site, uint32_t inst, uintptr_t *name_pc,
                             uintptr_t *prefix, uint32_t *nprefix) {
    *name_pc = site;
    prefix[0] = site;
    *nprefix = 1;
    struct site_state *st = site_of(site);
    // A count for sampling only: threads racing on it may lose an
    // increment, which an atomic add per init (a locked instruction on
    // every pthread_mutex_init of the program) would not be worth.
    uint32_t n = atomic_load_explicit(&st->count, memory_order_relaxed) + 1;
    atomic_store_explicit(&st->count, n, memory_order_relaxed);
    bool sampled = n <= 16 || (n & (n - 1)) == 0;
    if (LIKELY(atomic_load_explicit(&st->library, memory_order_relaxed) == 1 && !sampled
               && !atomic_load_explicit(&st->funnel, memory_order_relaxed)))
        return site;
    return class_key_slow(site, (uint64_t)n << 32 | inst, st, name_pc, prefix, nprefix);
}
