// lock_sites.c - what names an acquisition for the stacks dept remembers:
// its call site, or, at a lock wrapper's call site, the call string through
// the wrapper.
//
// The stack of an acquisition ([S] in a report: where the held lock was
// taken) is captured once per situation (held chain, class, call site) and
// remembered; the acquisition cache and the memo of known waits answer
// every later acquisition in that situation with it. Keyed by the call
// site, that is the right stack for a lock called directly: the same
// situation at the same place. Through a wrapper (`my_lock(m)`, NCBI's
// SSystemFastMutex::Lock, Tcl_MutexLock, libuv's uv_mutex_lock, std::mutex
// at -O0) every acquisition of the program has the wrapper's call site, so
// a lock taken in one function answered for the same lock taken anywhere
// else: a report's [S] showed an earlier, long released acquisition, and
// its headline named the wrapper.
//
// A wrapper shows itself by acquiring locks of two or more classes at one
// call site, from call strings that part: a lock called directly takes
// one lock, or locks of one class (a member mutex), and a loop over locks
// of many classes calls from one place. From then on its acquisitions are
// named by their call string, long enough to get past the wrapper: one
// frame more than the frames every call string seen there shared (the
// wrapper's own chain). No longer: every new call string is a new
// situation for the caches, a slow path, and frames further out part more
// often. A wrapper reached through helpers of its own as well as directly
// (std::mutex::lock at -O0, called by lock_guard and by the program) is
// therefore named by the helper on the helper's path. One whose call
// strings keep coming new even so is named by its site again
// (dept_lock_site_missed).
//
// A site is young for its first YOUNG acquisitions on the slow path, and
// named by its whole call string (SITE_FRAMES frames) meanwhile, without
// being cached: the acquisition that shows the second class may come after
// the first class was taken from two places, and a cached young
// acquisition would have answered the second place with the first place's
// stack. After that, a site of one class is named by its call site alone.
// A site that shows a second class later becomes a wrapper then; the
// acquisition caches are dropped (dept_obj_gen), once per wrapper.
//
// Cost: a wrapper's every acquisition reads its call string (the cached
// ones too: their entry under the call site sends them to lock_site in
// mutex_hooks.c, which probes again under the call string's key), at
// fixed offsets where the wrapper's frames allow (plan), else by a walk:
// a lock/unlock pair through a two-level wrapper costs 384 instructions
// more than plain instead of 84 (callgrind). Each young acquisition takes
// the slow path; a settled site costs the slow path a look at the
// thread's memo.
#include "shim.h"
#include "spin_lock.h"
#include <string.h>

#define SITES 4096                  // direct-mapped, lossy: a lost site is young again
#define SITE_FRAMES 8
#define PLAN_NEVER 0xffffffffu
#define YOUNG 16

struct lock_site {
    _Atomic uintptr_t pc;
    _Atomic uint32_t cls;           // the first class acquired here
    _Atomic uint32_t classes;       // 1, or 2 once a second class was acquired here
    _Atomic uint32_t seen;          // acquisitions observed (slow path)
    _Atomic uint32_t frames;        // a wrapper's: frames that name an acquisition; 0 otherwise
    _Atomic uint32_t shared;        // frames every call string seen here shared
    _Atomic uint32_t wseen;         // a wrapper's acquisitions on the slow path (sampled)
    _Atomic uint32_t crowded;       // 1: a wrapper named by its site again (see dept_lock_site_missed)
    _Atomic uint32_t missed;        // a wrapper's acquisitions that only its call string made new
    _Atomic uint32_t plan;          // a wrapper's fast key: 0 none yet, PLAN_NEVER, else loads
    uint16_t plan_at[SITE_FRAMES];  // where each load reads, in bytes above the program's frame
    uint32_t nfirst;
    uintptr_t first[SITE_FRAMES];   // the first call string seen here
};
static struct lock_site sites[SITES];
static dept_spin sites_lock = DEPT_SPIN_INIT;

// A child of fork has only the forking thread: the lock of a thread that
// held it then is free there. What that thread was writing is at worst one
// site's state half made, which names acquisitions, never makes a read
// outside a frame (a plan is published only once it is whole).
static void after_fork_child(void) { atomic_store_explicit(&sites_lock.held, 0, memory_order_relaxed); }

__attribute__((constructor)) static void lock_sites_init(void) { dept_on_fork_child(after_fork_child); }

static struct lock_site *site_of(uintptr_t pc) { return &sites[(dept_hash_addr(pc) >> 20) & (SITES - 1)]; }

static uintptr_t callstring_key(const uintptr_t *f, uint32_t n) {
    uint64_t h = 0x4c4b534954450000ull;
    for (uint32_t i = 0; i < n; i++) h = dept_mix_pc(h, f[i]);
    // Never a real call site's value 0.
    return (uintptr_t)(h | 1);
}

static uint32_t wrapper_frames(uint32_t shared) { return shared + 1 > SITE_FRAMES ? SITE_FRAMES : shared + 1; }

// Past its youth, a site that is no wrapper is observed without unwinding
// unless it acquired two classes, and then only at a sample (its count a
// power of two): a loop that takes locks of thousands of classes at one
// call site (scale_classes) is no wrapper, its call strings never part,
// and unwinding each of its new situations cost its first round a tenth.
static bool settled(struct lock_site *s, uint32_t cls) {
    if (atomic_load_explicit(&s->frames, memory_order_relaxed)) return false;
    uint32_t n = atomic_load_explicit(&s->seen, memory_order_relaxed);
    if (n < YOUNG) return false;
    if (atomic_load_explicit(&s->cls, memory_order_relaxed) == cls && atomic_load_explicit(&s->classes, memory_order_relaxed) == 1)
        return true;
    // Counted without a locked instruction: a lost count only moves a sample.
    atomic_store_explicit(&s->seen, n + 1, memory_order_relaxed);
    atomic_store_explicit(&s->classes, 2, memory_order_relaxed);
    return ((n + 1) & n) != 0;
}

// A wrapper's fast key (dept_lock_site_key): where the return addresses
// of its chain and of the first frame past it lie above the program's
// frame, when each of the chain's frames finds its CFA at a fixed offset
// from its stack pointer (optimised code without frame pointers). Each
// load is then one word at a fixed place, checked against the chain before
// the next (a call into the wrapper's middle from elsewhere reads only
// words of frames that exist, and fails the check). Else every key walks.
static void plan(struct lock_site *s, const uintptr_t *chain, uint32_t n) {
    uint16_t at[SITE_FRAMES];
    uint32_t sum = 0, off;
    for (uint32_t j = 0; j < n; j++) {
        if (!dept_unwind_cfi_sp_rule(chain[j], &off) || sum + off > 32768) {
            atomic_store_explicit(&s->plan, PLAN_NEVER, memory_order_relaxed);
            return;
        }
        sum += off;
        at[j] = (uint16_t)(sum - 8);
    }
    dept_spin_take(&sites_lock);
    if (atomic_load_explicit(&s->plan, memory_order_relaxed) == 0) {
        memcpy(s->plan_at, at, n * sizeof *at);
        atomic_store_explicit(&s->plan, n, memory_order_release);
    }
    dept_spin_drop(&sites_lock);
}

// Everything but a settled site's observation, apart so that the common
// case does not pay this frame's set-up (it was half of the observation
// on a slow path that every acquisition took).
static __attribute__((noinline)) enum dept_lock_site observe_slow(struct lock_site *s, uintptr_t pc, uint32_t cls,
                                                                  uintptr_t *key) {
    uintptr_t f[SITE_FRAMES];
    int k = dept_caller_frames_at(pc, f, SITE_FRAMES, 0, 0, 0);
    // No unwinding to be had (no unwind information): named by its site.
    if (k < 1 || f[0] != pc) return DEPT_LOCK_SITE_PLAIN;
    uintptr_t chain[SITE_FRAMES];
    uint32_t nchain = 0;
    dept_spin_take(&sites_lock);
    if (atomic_load_explicit(&s->pc, memory_order_relaxed) != pc) {
        // A new site, or another site's slot taken over (rare): young again.
        memcpy(s->first, f, (size_t)k * sizeof *f);
        s->nfirst = (uint32_t)k;
        atomic_store_explicit(&s->cls, cls, memory_order_relaxed);
        atomic_store_explicit(&s->classes, 1, memory_order_relaxed);
        atomic_store_explicit(&s->seen, 0, memory_order_relaxed);
        atomic_store_explicit(&s->frames, 0, memory_order_relaxed);
        atomic_store_explicit(&s->shared, (uint32_t)k, memory_order_relaxed);
        atomic_store_explicit(&s->crowded, 0, memory_order_relaxed);
        atomic_store_explicit(&s->missed, 0, memory_order_relaxed);
        atomic_store_explicit(&s->wseen, 0, memory_order_relaxed);
        atomic_store_explicit(&s->plan, 0, memory_order_relaxed);
        atomic_store_explicit(&s->pc, pc, memory_order_release);
    }
    uint32_t shared = atomic_load_explicit(&s->shared, memory_order_relaxed), i = 0;
    while (i < shared && i < (uint32_t)k && s->first[i] == f[i]) i++;
    atomic_store_explicit(&s->shared, i, memory_order_relaxed);
    uint32_t seen = atomic_load_explicit(&s->seen, memory_order_relaxed);
    if (seen < YOUNG) atomic_store_explicit(&s->seen, ++seen, memory_order_relaxed);
    if (atomic_load_explicit(&s->cls, memory_order_relaxed) != cls) atomic_store_explicit(&s->classes, 2, memory_order_relaxed);
    uint32_t frames = atomic_load_explicit(&s->frames, memory_order_relaxed);
    // A wrapper: two classes, and call strings that part. The wrapper's own
    // frames (those every call string shared) go to the core, for reports
    // to pass over.
    bool became = false;
    if (atomic_load_explicit(&s->classes, memory_order_relaxed) == 2 && i < s->nfirst && i < (uint32_t)k
        && !atomic_load_explicit(&s->crowded, memory_order_relaxed)) {
        if (!frames) {
            became = true;
            nchain = i;
            memcpy(chain, s->first, i * sizeof *chain);
        }
        uint32_t now = wrapper_frames(i);
        // A plan is made once, for the frames the wrapper first had.
        if (frames && now != frames) atomic_store_explicit(&s->plan, PLAN_NEVER, memory_order_relaxed);
        frames = now;
        atomic_store_explicit(&s->frames, frames, memory_order_relaxed);
    }
    dept_spin_drop(&sites_lock);
    if (became && frames == nchain + 1) plan(s, chain, nchain);
    // Acquisitions cached under the site alone are asked again, so that
    // their entries send them to lock_site.
    if (became) atomic_fetch_add(&dept_obj_gen, 1);
    if (nchain) {
        dept_core_lock();
        dept_core_lock_wrapper(chain, nchain);
        dept_core_unlock();
    }
    if (frames) {
        *key = callstring_key(f, frames < (uint32_t)k ? frames : (uint32_t)k);
        return DEPT_LOCK_SITE_WRAPPER;
    }
    if (seen < YOUNG) {
        *key = callstring_key(f, (uint32_t)k);
        return DEPT_LOCK_SITE_YOUNG;
    }
    return DEPT_LOCK_SITE_PLAIN;
}

enum dept_lock_site dept_lock_site_observe_slow(struct dept_thread *t, uintptr_t pc, uint32_t cls, uintptr_t *key) {
    struct lock_site *s = site_of(pc);
    uint32_t gen = (uint32_t)atomic_load_explicit(&dept_obj_gen, memory_order_relaxed);
    // A wrapper's acquisition on the slow path (a new situation) takes its
    // key from the fast reading of its call string; only a sample (a power
    // of two of them) is observed to learn more. Observing each one unwound
    // eight frames (when rwlock wrappers were followed too, OpenSSL's
    // CRYPTO_THREAD_read_lock, whose every acquisition came here, made
    // node's start-up, `node -e 0`, 696M -> 1,701M instructions, 1,191M
    // with this). Only pthread_mutex_lock's sites are followed (README).
    if (atomic_load_explicit(&s->pc, memory_order_acquire) == pc && atomic_load_explicit(&s->frames, memory_order_relaxed)) {
        uint32_t n = atomic_load_explicit(&s->wseen, memory_order_relaxed) + 1;
        atomic_store_explicit(&s->wseen, n, memory_order_relaxed);
        uintptr_t named = (n & (n - 1)) ? dept_lock_site_key(t, pc) : 0;
        if (named) {
            *key = named;
            return DEPT_LOCK_SITE_WRAPPER;
        }
    }
    if (LIKELY(atomic_load_explicit(&s->pc, memory_order_acquire) == pc && settled(s, cls))) {
        if (atomic_load_explicit(&s->classes, memory_order_relaxed) == 1) {
            *dept_site_memo_of(t, pc) = (struct dept_site_memo){ pc, cls, gen };
        }
        return DEPT_LOCK_SITE_PLAIN;
    }
    return observe_slow(s, pc, cls, key);
}

uintptr_t dept_lock_site_key(struct dept_thread *t, uintptr_t pc) {
    struct lock_site *s = site_of(pc);
    if (atomic_load_explicit(&s->pc, memory_order_acquire) != pc) return 0;
    uint32_t frames = atomic_load_explicit(&s->frames, memory_order_relaxed);
    if (!frames) return 0;
    uintptr_t f[SITE_FRAMES];
    uint32_t n = atomic_load_explicit(&s->plan, memory_order_acquire);
    if (n && n != PLAN_NEVER && n + 1 == frames) {
        // Copied, then the slot checked to be still this site's: another
        // site taking the slot over makes a plan of its own there.
        uint16_t at[SITE_FRAMES];
        memcpy(at, s->plan_at, sizeof at);
        atomic_thread_fence(memory_order_acquire);
        uintptr_t sp = atomic_load_explicit(&s->pc, memory_order_relaxed) == pc
                               && atomic_load_explicit(&s->plan, memory_order_relaxed) == n
                           ? dept_program_sp(pc)
                           : 0;
        if (sp) {
            f[0] = pc;
            uint32_t j = 0;
            for (; j < n; j++) {
                f[j + 1] = *(const uintptr_t *)(sp + at[j]);
                if (j + 1 < n && f[j + 1] != s->first[j + 1]) break;
            }
            if (j == n) return callstring_key(f, frames);
        }
    }
    // A wrapper called again from where it was called lately (a loop)
    // reads the words that walk read instead of walking.
    int slot = (int)(t->site_walk_next % 4);
    int k = dept_caller_frames_at(pc, f, (int)frames, t->site_walk, 4, &slot);
    if (k == -2) return t->site_walk_key[slot];
    if (k < 1 || f[0] != pc) return 0;
    uintptr_t key = callstring_key(f, (uint32_t)k);
    if (slot >= 0) {
        t->site_walk_key[slot] = key;
        t->site_walk_next++;
    }
    return key;
}

// A wrapper reached through ever new call strings (an interpreter's lock
// helper, called from the frames of whatever script code runs) puts many
// of its acquisitions on the slow path: each new call string is a new
// situation to the caches. Counted here, where an acquisition missed under
// its call string although the cache knew its situation under the site;
// past CROWDED such misses the site is named by itself again, for good
// (its reports still pass over its frames). perl's ithreads workload
// (`perlthreads.pl 60000`) ran 2.2-2.4 s without this against 1.6-1.8 s
// with the last stop's library. The caches are not dropped: each entry
// that sends its acquisition here is replaced by a plain one at its next
// use (dropping them all cost a short perl run 10-25% more instructions).
#define CROWDED 1024
void dept_lock_site_missed(uintptr_t pc) {
    struct lock_site *s = site_of(pc);
    if (atomic_load_explicit(&s->pc, memory_order_acquire) != pc) return;
    if (atomic_fetch_add_explicit(&s->missed, 1, memory_order_relaxed) + 1 != CROWDED) return;
    dept_spin_take(&sites_lock);
    if (atomic_load_explicit(&s->pc, memory_order_relaxed) == pc) {
        atomic_store_explicit(&s->crowded, 1, memory_order_relaxed);
        atomic_store_explicit(&s->frames, 0, memory_order_relaxed);
    }
    dept_spin_drop(&sites_lock);
    dept_core_lock();
    dept_core_lock_wrapper_crowded();
    dept_core_unlock();
}
