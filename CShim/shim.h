// shim.h - internal state of the C shim: per-thread records, the object
// table, real-function pointers and the slow-path entry into the core.
#ifndef DEPT_SHIM_INTERNAL_H
#define DEPT_SHIM_INTERNAL_H

#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include "dept_shim.h"
#include "core_abi.h"
#include "spin_lock.h"
#include "unwinder.h"

#define DEPT_HIDDEN __attribute__((visibility("hidden")))
#define DEPT_EXPORT __attribute__((visibility("default")))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
/// A global that many threads write, on a cache line of its own (`.v` is
/// the variable). The linker packs small globals together: the wait clock,
/// which every semaphore, condvar and eventfd wait bumps, shared its line
/// with dept_config, which every hook reads, and that read missed on every
/// wait of another thread (a ninth of the samples of a semaphore queue).
#define DEPT_LONE(type) struct { type v; } __attribute__((aligned(64)))

// ---- per-thread state --------------------------------------------------

/// Entries of the per-thread "already told the core" cache. Direct-mapped:
/// a collision only costs one more trip to the core, which dedups anyway.
#define DEPT_SEEN_SLOTS 512

/// Inline room for held locks; more grow into mmap'd memory (no cap).
#define DEPT_HELD_INLINE 32
/// Classes whose release site a thread knows are told (event_seen): class
/// ids are dense, so this many slots let a thread release up to 2048
/// classes in turn without any two evicting each other (a thread holding
/// 1000 locks of distinct classes released every one on the slow path with
/// 256).
#define DEPT_EVENT_SLOTS 2048
#define DEPT_ACQ_SLOTS 64
#define DEPT_ACQ_MORE_WAYS 8
#define DEPT_ACQ_MORE_SETS 8192
#define DEPT_ACQ_MORE_AFTER 512     // misses of acq before acq_more is mapped
/// Buckets of a thread's latest wait per object (dept_clock_waited), a
/// power of two. A thread that waits on 20 other locks after its last wait
/// on L shares L's bucket with one of them 2% of the time (7% with 256, 27%
/// with 64), which keeps a join under L reported. Objects made one after
/// another get consecutive instances, so a worker that takes up to 1023 of
/// them after L never shares L's bucket (Examples/join_under_lock_many_after:
/// 300 session locks after L were reported with 256). 4 KiB per thread
/// record, and what the core keeps of an exited thread until it is joined.
#define DEPT_WAITED_BUCKETS 1024
#define DEPT_CLK_KNOWN 16
/// Stack walks a thread keeps with their proofs (stack_capture.c): a
/// handful of call paths capture over and over in a loop that meets new
/// situations.
#define DEPT_WALK_MEMOS 8

struct dept_obj_ref {
    uint32_t cls;
    uint32_t inst;
    uintptr_t addr;      // the object's address (0 for a thread body not yet bound)
};

/// A completed or ongoing wait that is not a lock acquisition (semaphore,
/// condvar, eventfd, join): what later events of the thread depend on.
#define DEPT_HISTORY 16
/// Releases a wait can name as what may have ended it (clocks.h).
#define DEPT_SAT_MAX 2
/// Clock entries a struct dept_sync holds in itself (one cache line).
#define DEPT_SYNC_INLINE_VC 16
struct dept_hist {
    uint64_t ts;          // wait clock at the start of the wait
    uint32_t cls, inst, stack;
    uint16_t awaits, op;
    struct dept_epoch returned;     // when it returned (time 0: still waiting)
    struct dept_epoch sat[DEPT_SAT_MAX]; // what may have ended it (clocks.h)
    uint32_t nsat;
    uint32_t nheld;                 // contexts the thread held when it started
    struct dept_epoch at;           // the thread's clock when it started (its request)
    uint32_t request;               // a join's whole clock then, interned in the core (0: not kept)
};

/// A signal, post, write or wake the thread fired lately, with where it
/// stood: an event it fires again for the same object under a context taken
/// since may have announced itself on the way in (EventRules, rule 1).
#define DEPT_ANNOUNCE 4
#define DEPT_ANNOUNCE_DEPTH 4
/// A futex word its thread was woken from and has not woken since, a
/// semaphore it took and has not posted since, or a condvar whose predicate
/// it checked and has not signalled since (lock_takes.c): where the thread
/// took it.
#define DEPT_TAKES 4
struct dept_take {
    uintptr_t word;       // 0: free slot; a condvar's check: DEPT_TAKE_COND(its mutex's instance)
    uint32_t nheld;       // the held entries it was made inside: held[0 .. nheld-1]
    uint32_t check;       // a condvar's: the check's site (cond_checks.c)
    uint32_t cond;        // a condvar's: the condvar's class
};
/// The take key of a check made holding the mutex instance inst: no
/// address has bit 63.
#define DEPT_TAKE_COND(inst) ((uintptr_t)1 << 63 | (uintptr_t)(inst))

struct dept_announce {
    uintptr_t obj;
    // The held chains at the time, innermost first: chains[k] is the chain
    // of held[nheld-1-k]. The innermost ones (the condvar's own mutex, the
    // locks around it) are released before the next context is taken.
    uint64_t chains[DEPT_ANNOUNCE_DEPTH];
    uint32_t nheld;
    uint32_t nhist;       // the thread's history count at the time
};

/// A wait made while holding a binary semaphore: it becomes a dependency
/// only if this thread later posts the semaphore itself (then it was a
/// lock); a post by another thread (a hand-off) discards it. A thread keeps
/// DEPT_TENTATIVE of them in its record and up to DEPT_TENTATIVE_MAX in
/// memory of its own (model.c).
#define DEPT_TENTATIVE 16
#define DEPT_TENTATIVE_MAX 1024
#define DEPT_TENTATIVE_GATES 8
#define DEPT_SEM_TOLD 4096
struct dept_sem_memory {
    /// An open-addressed set of told_key keys, emptied when 3/4 full.
    uint64_t told[DEPT_SEM_TOLD];
    uint32_t ntold;
    /// By a hash of the pair: its index in the tentative waits, plus one.
    uint16_t hint[DEPT_TENTATIVE_MAX];
};
struct dept_tentative {
    struct dept_held from;
    struct dept_wait wait;
    uint64_t key;        // the wait's memo key: a repeat under the same hold is not kept twice
    uint32_t ngates;
    uint32_t gates[DEPT_TENTATIVE_GATES];
};

/// A known acquisition: (held chain, lock, operation, call site) -> the held
/// entry the slow path pushed for it. Everything in the entry follows from
/// the key while no address changed meaning (dept_acq_gen), so a hit pushes
/// it as it is: no class lookup, no memo, no core.
struct dept_acq_entry {
    uint64_t gen;
    uint64_t chain;      // the pushed entry's chain
    uint32_t cls, inst, stack;
    uint16_t mode, op;
};
_Static_assert(sizeof(struct dept_acq_entry) == 32, "two entries per cache line, none across two");
struct dept_acq {
    uint64_t key;
    struct dept_acq_entry e;
    uint32_t objects;    // the pushed entry's count of per-object entries
    uint32_t near;       // the lock's address / 64: its set in acq_more
};

/// The second level of a thread's acquisition cache (model.c): sets of
/// DEPT_ACQ_MORE_WAYS, each the line of its keys followed by its entries,
/// two to a line, so a hit on one of the first two ways reads the line
/// after the keys, which the probe asks for at once. Kept apart from the
/// keys, 48-byte entries (a whole first-level entry) made a hit read one
/// or two lines far from the key line, and that load was a quarter of
/// scale_classes' time under dept (perf). An entry here has no per-object
/// entries below it (objects 0): the opt-in per-object classes keep to
/// the first level and the slow path (model.c: spill).
struct dept_acq_more {
    struct {
        uint64_t keys[DEPT_ACQ_MORE_WAYS];
        struct dept_acq_entry entries[DEPT_ACQ_MORE_WAYS];
    } sets[DEPT_ACQ_MORE_SETS];
};

/// Held entries that may end without a hook seeing it, and are checked
/// before the model uses them (dept_held_validate): a binary semaphore posted
/// on its taker's behalf, a futex lock released in user space. While a
/// thread holds one, its waits take the full path.
#define DEPT_HELD_CHECKED (DEPT_HELD_SEM | DEPT_HELD_FUTEX)

/// A semaphore, condvar or eventfd a thread used lately (dept_sync_lookup).
struct dept_sync_memo {
    uintptr_t addr;               // 0: empty
    uint64_t gen;                 // dept_acq_gen(addr) when it was filled
    uint32_t cls, inst;
    struct dept_sync *sync;
    /// The thread's latest semaphore wait here that found a token: its
    /// call site (0: none yet), the held chain it was made under, and the
    /// stack dept_wait_begin_fast answered for it (sem_hooks.c: found_stack).
    uintptr_t wait_pc;
    uint64_t wait_chain;
    uint32_t wait_stack;
};
/// Sets of two: a thread's signal and wait condvars lie a line apart, and
/// any direct map of a few slots gave some program's pair one slot.
#define DEPT_SYNC_MEMO_SETS 8

struct dept_thread {
    uint32_t tid;                 // dept's own thread number, never reused
    int32_t os_tid;
    uint32_t parent;
    uint32_t create_stack;
    pthread_t self;
    _Atomic int32_t live;         // 1 while the thread runs
    struct dept_thread *next_free;
    struct dept_thread *next_all;

    struct dept_held *held;       // points at held_inline or an mmap'd array
    uint32_t nheld;
    uint32_t held_cap;
    // The thread's clock (clocks.h). clk_waited sits beside nheld: the lock
    // fast path sets it, and it is all the fast path does for clocks.
    uint32_t clk_waited;
    /// Mutex acquisitions under way (pushed, the real call not returned):
    /// an event while one is is a signal handler's, which model.c checks
    /// against the mutexes' owners. Nested by a handler's own locks.
    uint32_t acquiring;
    /// The deepest held count a recorded take was made with (lock_takes.c):
    /// a release below it leaves a context some take was made inside, so
    /// the release fast path hands it to the full one. Beside nheld.
    uint32_t takes_watch;
    uint32_t clk_slot, clk_time, clk_last_wait;
    uint32_t *clk_vc;             // mmap'd, kept when the record is recycled
    uint32_t clk_cap;
    uint32_t clk_body;            // instance of its body (thread started by our pthread_create), or 0
    /// The last time of the slot's previous thread when this thread took the
    /// slot without knowing that thread had ended (clocks.c), else 0.
    uint32_t clk_reused_after;
    struct dept_held held_inline[DEPT_HELD_INLINE];

    struct dept_hist hist[DEPT_HISTORY];
    uint32_t nhist;               // total pushed; the ring keeps the last DEPT_HISTORY
    uint32_t sems_held;           // DEPT_HELD_CHECKED entries in held (validated before use)
    /// The object of the latest wait made under held semaphores that left
    /// nothing tentative and told the core nothing new (model.c:
    /// wait_with_semaphores), else 0: an acquisition of it may be cached.
    uint32_t sem_wait_settled;
    struct dept_tentative tentative_inline[DEPT_TENTATIVE];
    uint32_t ntentative;
    struct dept_announce announce[DEPT_ANNOUNCE];
    uint32_t nannounce;           // total fired; the ring keeps the last DEPT_ANNOUNCE
    struct dept_take takes[DEPT_TAKES];
    // While the thread tells a condvar wait: the site of the predicate check
    // it waits in (cond_checks.c), for dept_wait_begin to pass on; else 0.
    uint32_t wait_check;
    // The class of the latest object whose sleeping waiters the thread woke
    // (an event of it while a thread waited there) since its last wait for
    // a signal, post or write, else 0; and the class of that last wait's
    // object (timed waits too). A wait carries the first, an event the
    // second (CycleJudge.wokeRule: the thread a waiter woke is a way out).
    uint32_t woke_cls, last_wait_cls;
    // The last check that ended (cond_checks.c): begun at check_pc with a
    // mutex of check_mutex_cls; its site and its condvar's class. Written
    // under the guard only.
    uintptr_t check_pc;
    uint32_t check_mutex_cls, check_site, check_cond;
    uint32_t check_take;        // the takes slot it recorded
    // The last answers of "are this lock and this wait made by one
    // function" (cond_checks.c), by the pair's hash; gen is the module
    // unload generation they were read in.
    struct dept_same_fn { uintptr_t lock_pc, wait_pc; uint32_t gen; bool same; } same_fn[4];
    uint32_t ntakes;        // total recorded; the ring keeps the last DEPT_TAKES
    // The last answer of dept_class_index (one acquisition asks up to three
    // times: its memo key, the core's key, the acquisition cache).
    uint64_t ci_chain;
    uint32_t ci_cls, ci_count, ci_index;
    struct dept_sync_memo sync_memo[DEPT_SYNC_MEMO_SETS][2];   // [0]: the latest filled

    // What the thread is blocked in right now (for the hang monitor).
    // blocked_since is written last (release) and cleared to 0 afterwards.
    _Atomic uint64_t blocked_since;   // CLOCK_MONOTONIC_COARSE ns, 0 = not blocked
    uintptr_t blocked_obj;
    uint32_t blocked_cls, blocked_inst, blocked_stack;
    uint16_t blocked_op, blocked_awaits;
    uint32_t blocked_timed;

    uint64_t seen[DEPT_SEEN_SLOTS];
    uint32_t seen_stack[DEPT_SEEN_SLOTS];
    /// Classes whose release site this thread already reported (direct-mapped).
    uint32_t event_seen[DEPT_EVENT_SLOTS];
    /// Known acquisitions (see dept_acq_probe).
    struct dept_acq acq[DEPT_ACQ_SLOTS];
    /// Their second level, mapped once the thread has cycled through many
    /// more acquisitions than acq holds (dept_acq_probe_more).
    struct dept_acq_more *acq_more;
    /// acq_more while it is in use; NULL before, and while it rests.
    struct dept_acq_more *more_on;
    uint32_t acq_misses;
    /// acq_more's misses and hits in the current window, and how many more
    /// acquisitions it rests for (a thread whose situations never repeat).
    uint32_t more_misses, more_hits, more_off;
    /// acq_more's entries filled so far (DEPT_MORE_FULL).
    uint32_t more_used;
    /// clk_time at the thread's latest wait on (or take of) any object whose
    /// instance falls in each bucket (inst % DEPT_WAITED_BUCKETS): an upper
    /// bound of when its latest wait on one lock returned, which the core
    /// asks for when a join under that lock closes a cycle (R2.4). Last in
    /// the record: the fields the hooks read stay where they were when it
    /// was a quarter of the size.
    uint32_t clk_waited_at[DEPT_WAITED_BUCKETS];
    /// The published clocks (of mutexes a condvar was signalled under) this
    /// thread has joined, and at which of their versions: direct-mapped by
    /// instance (dept_clock_acquire_published).
    struct dept_clk_known { uint32_t inst, version; struct dept_sync *sync; } clk_known[DEPT_CLK_KNOWN];
    uint32_t walk_next;           // the oldest of walk_memo, to be replaced next
    /// Its latest stack walks, with what proves each still holds
    /// (stack_capture.c): half a KiB each, a page or two for a thread that
    /// captures a few stacks.
    struct dept_walk_memo walk_memo[DEPT_WALK_MEMOS];
    /// The tentative waits once more than tentative_inline holds were made
    /// under one hold: mmap'd, tentative_cap of them, kept with the record
    /// (NULL before).
    struct dept_tentative *tentative;
    uint32_t tentative_cap;
    /// What a thread that waits under a held semaphore keeps (model.c:
    /// sem_memory), mmap'd at its first such wait and kept with the record
    /// (NULL before): the waits the core was told of once their semaphore
    /// proved a lock (told_put), and where in the tentative waits each
    /// (wait, semaphore) pair was last found (tentative_kept).
    struct dept_sem_memory *sem_memory;
    /// The thread's own stack, [stack_lo, stack_hi) (thread_hooks.c;
    /// thread_registry.c for the main thread), else 0 and 0.
    uintptr_t stack_lo, stack_hi;
    /// The frame of the program's innermost signal handler running on this
    /// thread (signal_hooks.c), else 0; stale after a jump out of one.
    uintptr_t signal_sp;
    /// Lock call sites this thread found settled (lock_sites.c), by the
    /// site's hash: the site, the class it acquired there, and dept_obj_gen
    /// then (a site that becomes a wrapper's bumps it). Four: one made the
    /// rdlock, wrlock and trylock sites of one loop miss in turn.
    struct dept_site_memo { uintptr_t pc; uint32_t cls, gen; } site_memo[4];
    /// Its latest walks through lock wrappers (lock_sites.c) with what
    /// proves each still holds, and the key each gave.
    struct dept_walk_memo site_walk[4];
    uintptr_t site_walk_key[4];
    uint32_t site_walk_next;
};

/// A signal the program's own code raises by faulting (or by abort): never
/// blocked, put off or wrapped by dept (runtime_init.c, signal_hooks.c).
static inline bool dept_signal_is_fault(int sig) {
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP || sig == SIGSYS
           || sig == SIGABRT;
}

/// Whether the calling hook runs inside a signal handler of the program
/// (signal_hooks.c): below the handler's frame, and near it (a handler on
/// an alternate stack, left by a jump, leaves a frame anywhere). A hook
/// above it finds the frame a jump left, and forgets it.
static inline bool dept_in_signal_handler(struct dept_thread *t) {
    uintptr_t top = t->signal_sp;
    if (LIKELY(!top)) return false;
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (sp < top && top - sp < (1u << 20)) return true;
    if (sp > top) t->signal_sp = 0;
    return false;
}

/// The thread starts a wait on instance inst, or takes it: the next hard
/// release settles the time of its latest wait (clocks.h), and the bucket
/// of inst keeps when it waited there. The only clock words a lock's fast
/// path writes (the bucket's line stays in cache for a thread that keeps
/// taking the same few locks).
static inline void dept_clock_waited(struct dept_thread *t, uint32_t inst) {
    t->clk_waited = 1;
    t->clk_waited_at[inst & (DEPT_WAITED_BUCKETS - 1)] = t->clk_time;
}

/// The per-thread words of the hooks, in one block so that one TLS offset
/// finds them all.
struct dept_tls_block {
    /// Re-entry guard: non-zero while this thread is inside dept itself
    /// (core, bookkeeping, stack capture). Hooks then pass straight through.
    int guard;
    /// Locks a malloc library (dept_from_allocator) holds right now on this
    /// thread. While it holds one, nothing may enter the core: the core
    /// allocates, and would need the same lock.
    int alloc_locks;
    /// The thread's record; 0 before its first hook, 1 while it exits.
    struct dept_thread *thread;
    /// The alternate signal stack the thread's latest handler ran on
    /// (signal_hooks.c), else 0 and 0: while a hook's frame lies in it, it
    /// is the stack's end (dept_stack_floor), and on a small one the guard
    /// DEPT_GUARD_ALTSTACK holds.
    uintptr_t alt_lo, alt_size;
};
/// The guard of a handler on a small alternate signal stack: it holds only
/// while the hooks run on that stack, so a handler left by a jump
/// (siglongjmp) does not leave the thread untracked for good.
#define DEPT_GUARD_ALTSTACK 2

DEPT_HIDDEN extern __thread struct dept_tls_block dept_tls __attribute__((tls_model("initial-exec")));
#define dept_tls_guard (dept_tls.guard)
#define dept_tls_alloc_locks (dept_tls.alloc_locks)
#define dept_tls_thread (dept_tls.thread)

/// The start of the stack of a context made by makecontext that here lies
/// in, else 0 (fiber_stacks.c).
DEPT_HIDDEN uintptr_t dept_fiber_floor(uintptr_t here);

/// The lowest address the calling hook's stack may reach, else 0 (not
/// known): the alternate signal stack it runs on, or its thread's stack.
/// Off both, it runs on a coroutine's or fiber's stack: one made by
/// makecontext has its size noted; another's (boost.context, folly's fibers
/// of 16 KiB) nothing tells, and then here is the floor: no room at all.
/// t is the calling thread's record (the alternate stack is in its TLS).
static inline uintptr_t dept_stack_floor(const struct dept_thread *t, uintptr_t here) {
    if (UNLIKELY(here - dept_tls.alt_lo < dept_tls.alt_size)) return dept_tls.alt_lo;
    if (LIKELY(here - t->stack_lo < t->stack_hi - t->stack_lo)) return t->stack_lo;
    uintptr_t fiber = dept_fiber_floor(here);
    return fiber ? fiber : t->stack_hi ? here : 0;
}

/// Set once the shim's constructor has run (the core is initialised by
/// then). Before that every hook passes through.
extern _Atomic int dept_ready;
extern _Atomic int dept_disabled;

extern struct dept_config dept_config;

/// Finds glibc's allocator for the core (core_heap.c): once, at start-up.
DEPT_HIDDEN void dept_core_heap_init(void);
DEPT_HIDDEN struct dept_thread *dept_thread_slow(void);
/// Code whose own pthread locks dept passes through untracked:
///  * a malloc implementation in a shared library (jemalloc, tcmalloc, ...):
///    the core allocates, and must not while the thread is inside the
///    allocator, so its locks are also counted in dept_tls_alloc_locks and
///    nothing enters the core while one is held;
///  * the Swift runtime of a Swift program (libswiftCore): its metadata and
///    conformance caches nest their locks in orders that its own wait
///    queues make safe, which a lock-order model reports as inversions in
///    every Swift program (swiftc itself showed eight). The core does not
///    use that runtime (it is Embedded Swift), so these are not counted.
DEPT_HIDDEN extern uintptr_t dept_alloc_lo, dept_alloc_span, dept_swiftrt_lo, dept_swiftrt_span;
static inline bool dept_from_allocator(uintptr_t pc) {
    return pc - dept_alloc_lo < dept_alloc_span;
}
static inline bool dept_untracked_site(uintptr_t pc) {
    return pc - dept_alloc_lo < dept_alloc_span || pc - dept_swiftrt_lo < dept_swiftrt_span;
}
/// After an untracked site took (+1) or released (-1) a lock.
static inline void dept_untracked_lock(uintptr_t pc, int delta) {
    if (dept_from_allocator(pc) && (delta > 0 || dept_tls_alloc_locks > 0)) dept_tls_alloc_locks += delta;
}

/// The calling thread's record for a fast path that needs nothing set up:
/// not inside dept, no allocator lock held, the record exists. NULL
/// sends the hook to its full path. Takes no guard.
static inline struct dept_thread *dept_current(void) {
    if (UNLIKELY(dept_tls_guard | dept_tls_alloc_locks)) return 0;
    struct dept_thread *t = dept_tls_thread;
    return LIKELY((uintptr_t)t > 1) ? t : 0;
}

/// The calling thread's record, or NULL when the hook must pass through.
DEPT_HIDDEN bool dept_alt_guard_left(void);
static inline struct dept_thread *dept_enter(void) {
    if (UNLIKELY(dept_tls_guard | dept_tls_alloc_locks) && !dept_alt_guard_left()) return 0;
    struct dept_thread *t = dept_tls_thread;
    if (LIKELY((uintptr_t)t > 1)) { dept_tls_guard = 1; return t; }
    if ((uintptr_t)t == 1) return 0;          // thread is exiting: untracked
    if (!atomic_load_explicit(&dept_ready, memory_order_acquire)) return 0;
    if (atomic_load_explicit(&dept_disabled, memory_order_relaxed)) return 0;
    dept_tls_guard = 1;
    t = dept_thread_slow();
    if (!t) { dept_tls_guard = 0; return 0; }
    return t;
}
static inline void dept_leave(void) { dept_tls_guard = 0; }

DEPT_HIDDEN void dept_thread_started(struct dept_thread *t);
DEPT_HIDDEN void dept_thread_finished(struct dept_thread *t);
/// Doubles the held array (false if memory is out: the context goes untracked).
DEPT_HIDDEN bool dept_held_grow(struct dept_thread *t);

// ---- the core lock -----------------------------------------------------
// Serialises calls into the Swift core. Slow path only; never held while
// calling out to the loader (stack capture happens before taking it).
DEPT_HIDDEN void dept_core_lock(void);
DEPT_HIDDEN void dept_core_unlock(void);

// ---- the end of the process (runtime_init.c, called by exit_hooks.c) ----
/// Main returned or exit() was called, before any exit handler, or an exec
/// is about to replace the image: judge what the core held back and print
/// what is queued while the program is intact.
DEPT_HIDDEN void dept_flush_before_teardown(void);
/// _exit/_Exit: no exit handler will write the exit line.
DEPT_HIDDEN void dept_exiting_without_handlers(int status);

// ---- objects -----------------------------------------------------------

// The object table (object_table.c): open addressing, probed lock-free.
struct obj_slot {
    _Atomic uintptr_t addr;
    _Atomic uint64_t ref;          // cls << 32 | inst; 0 while being filled
};
struct obj_table {
    struct obj_slot *slots;
    uint64_t mask;
    uint64_t used;                 // live + tombstones (guarded by the table lock)
    uint64_t live;
};
DEPT_HIDDEN extern _Atomic(struct obj_table *) dept_obj_current;
/// Per-thread caches keyed by address (the acquisition cache) are valid
/// only while the address means the object it meant. Two generations say
/// so: dept_obj_gen, bumped for what changes many objects at once (a
/// library unloaded, a class whose acquisitions must now learn a published
/// clock), and one per address bucket, bumped when an object there is
/// destroyed, re-initialised or rebound. One global generation for both
/// made every destroy anywhere empty every thread's cache: a program that
/// creates and destroys objects while it takes other locks took all of
/// them on the slow path.
DEPT_HIDDEN extern _Atomic uint64_t dept_obj_gen;
#define DEPT_ADDR_GENS 8192
DEPT_HIDDEN extern _Atomic uint32_t dept_addr_gen[DEPT_ADDR_GENS];
static inline _Atomic uint32_t *dept_addr_gen_of(uintptr_t addr) {
    // Neighbouring objects get neighbouring buckets: one a program destroys
    // rarely shares a bucket with one it keeps.
    return &dept_addr_gen[(addr >> 3) & (DEPT_ADDR_GENS - 1)];
}
/// The generation an acquisition cache entry for addr is valid in. Bits
/// 60-63 are never part of it: a cache entry sets them (DEPT_ACQ_ATTEND).
static inline uint64_t dept_acq_gen(uintptr_t addr) {
    return (atomic_load_explicit(&dept_obj_gen, memory_order_relaxed) & 0x0fffffffu) << 32
           | atomic_load_explicit(dept_addr_gen_of(addr), memory_order_relaxed);
}
/// In a cache entry's gen: a hit needs more than the push. Such an entry
/// never matches the plain check of the lock's fast path; lock_published
/// answers it, and does what the reason bits below it say. Either reason
/// used to send every acquisition through the whole slow path.
#define DEPT_ACQ_ATTEND (1ull << 63)
/// The mutex carries a published clock (clocks.h), which every acquisition
/// must learn (a mutex a condition variable is signalled under).
#define DEPT_ACQ_CLOCK (1ull << 62)
/// The acquisition checks a condvar's predicate (cond_checks.c): its entry
/// is marked DEPT_HELD_COND_CHECK (a consumer's pop where it once waited).
#define DEPT_ACQ_COND_CHECK (1ull << 61)
/// The entry is keyed by a lock wrapper's call site (lock_sites.c): what
/// names the acquisition is its call string, under whose key lock_site
/// probes again. The rest of the entry is not used.
#define DEPT_ACQ_SITE (1ull << 60)
#define DEPT_ACQ_REASONS (DEPT_ACQ_CLOCK | DEPT_ACQ_COND_CHECK | DEPT_ACQ_SITE)
/// What names an acquisition at call site pc for the stacks dept remembers
/// (lock_sites.c): the site itself (PLAIN), or a call string through it,
/// for a young site (not cached meanwhile) and for a lock wrapper's site.
enum dept_lock_site { DEPT_LOCK_SITE_PLAIN, DEPT_LOCK_SITE_YOUNG, DEPT_LOCK_SITE_WRAPPER };
DEPT_HIDDEN enum dept_lock_site dept_lock_site_observe_slow(struct dept_thread *t, uintptr_t pc, uint32_t cls,
                                                             uintptr_t *key);
/// A wrapper site's key for the acquisition being made; 0 when pc is not
/// (or no longer) a wrapper's site, or its call string cannot be read.
DEPT_HIDDEN uintptr_t dept_lock_site_key(struct dept_thread *t, uintptr_t pc);
/// A wrapper site's acquisition missed the caches under its call string
/// although they knew it under the site.
DEPT_HIDDEN void dept_lock_site_missed(uintptr_t pc);
/// On an acquisition's slow path, with the class acquired: what names it
/// (lock_sites.c), and its key in *key (pc for a plain site). The first
/// lock of every new object comes here: the thread's latest settled site
/// answers it.
static inline struct dept_site_memo *dept_site_memo_of(struct dept_thread *t, uintptr_t pc) {
    return &t->site_memo[((uint64_t)pc * 0x9e3779b97f4a7c15ull) >> 62];
}
static inline enum dept_lock_site dept_lock_site_observe(struct dept_thread *t, uintptr_t pc, uint32_t cls,
                                                         uintptr_t *key) {
    *key = pc;
    const struct dept_site_memo *m = dept_site_memo_of(t, pc);
    if (LIKELY(m->pc == pc && m->cls == cls && m->gen == (uint32_t)atomic_load_explicit(&dept_obj_gen, memory_order_relaxed)))
        return DEPT_LOCK_SITE_PLAIN;
    return dept_lock_site_observe_slow(t, pc, cls, key);
}
static inline uint64_t dept_hash_addr(uintptr_t a) {
    uint64_t h = (uint64_t)a * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 31);
}
/// Lock-free probe. Returns the packed ref, or 0 when absent. Address 0
/// marks an empty slot and is never stored, so a NULL object (a program's
/// `pthread_mutex_lock(NULL)`, which crashes in glibc) is absent: tested
/// first, it cannot match an empty slot and wait for a ref forever.
static inline uint64_t dept_obj_probe(struct obj_table *t, uintptr_t addr) {
    for (uint64_t i = dept_hash_addr(addr) & t->mask;; i = (i + 1) & t->mask) {
        uintptr_t a = atomic_load_explicit(&t->slots[i].addr, memory_order_acquire);
        if (a == 0) return 0;
        if (LIKELY(a == addr)) {
            uint64_t r;
            while ((r = atomic_load_explicit(&t->slots[i].ref, memory_order_acquire)) == 0) {}
            return r;
        }
    }
}
DEPT_HIDDEN struct dept_obj_ref dept_obj_lookup_slow(uintptr_t addr, uint32_t kind, uintptr_t site);
/// Looks up (or creates, keyed by `site`) the class and instance of an object.
static inline struct dept_obj_ref dept_obj_lookup(uintptr_t addr, uint32_t kind, uintptr_t site) {
    struct obj_table *t = atomic_load_explicit(&dept_obj_current, memory_order_acquire);
    if (LIKELY(t)) {
        uint64_t r = dept_obj_probe(t, addr);
        if (LIKELY(r)) return (struct dept_obj_ref){ (uint32_t)(r >> 32), (uint32_t)r, addr };
    }
    return dept_obj_lookup_slow(addr, kind, site);
}
/// A mutex thread t just initialised as instance inst (fresh_locks.c).
DEPT_HIDDEN void dept_fresh_mark(uintptr_t addr, uint32_t inst, struct dept_thread *t);
/// What the first acquisition of a mutex since its init is (fresh_locks.c).
enum dept_fresh {
    DEPT_FRESH_NO,      ///< not known to be the first: an ordinary acquisition
    DEPT_FRESH_FIRST,   ///< the first since the init, by anyone: a wait all the same
    DEPT_FRESH_OWN,     ///< the first, by its creator holding what it held then: cannot wait
};
/// Whether this is the first acquisition of addr by anyone since its init,
/// and by whom. Empties the mark whoever calls it first.
DEPT_HIDDEN enum dept_fresh dept_fresh_claim(uintptr_t addr, uint32_t inst, struct dept_thread *t);
/// Registers an explicit initialisation: a fresh instance, classed by site.
DEPT_HIDDEN struct dept_obj_ref dept_obj_init(uintptr_t addr, uint32_t kind, uintptr_t site);
/// Forgets an object so a later object at the same address is a new one.
/// Returns the instance it was (0 when unknown), for its per-instance state.
DEPT_HIDDEN uint32_t dept_obj_destroy(uintptr_t addr);
/// Lock-free lookup only; false when the address is unknown.
DEPT_HIDDEN bool dept_obj_find(uintptr_t addr, struct dept_obj_ref *out);
/// A fresh instance of the class keyed by an init site, bound to no address.
DEPT_HIDDEN struct dept_obj_ref dept_obj_new(uint32_t kind, uintptr_t site);
/// A fresh instance of an existing class, bound to no address.
DEPT_HIDDEN struct dept_obj_ref dept_obj_instance_of(uint32_t cls);
/// Binds an address to a given instance (replacing what was there).
DEPT_HIDDEN void dept_obj_bind(uintptr_t addr, struct dept_obj_ref ref);
DEPT_HIDDEN void dept_objects_atfork(int phase);
/// A new process is made from this thread (runtime_init.c): dept's locks
/// are taken before (prepare) and let go after, in the parent and in the
/// child, which also forgets the parent's other threads. fork() runs them
/// as the first registered fork handlers; clone_hooks.c runs them around a
/// clone() that makes a process.
DEPT_HIDDEN void dept_fork_prepare(void);
DEPT_HIDDEN void dept_fork_parent(void);
DEPT_HIDDEN void dept_fork_child(void);
/// fn runs in every child dept_fork_child runs in (at most four; at
/// start-up).
DEPT_HIDDEN void dept_on_fork_child(void (*fn)(void));
/// libc's syscall() (futex_hooks.c, whose interposer jumps to it), looked
/// up on first use.
typedef long (*syscall_fn)(long, ...);
DEPT_HIDDEN syscall_fn dept_syscall_real(void);
/// syscall(SYS_clone or SYS_clone3, ...) (clone_hooks.c), which the
/// syscall() interposer (futex_hooks.c) hands over.
DEPT_HIDDEN long dept_syscall_clone(long n, long a1, long a2, long a3, long a4, long a5, long a6);
/// The class key of an object initialised at `site` by an explicit init call
/// (init_sites.c): the site, or a hash of the longer prefix of its init call
/// string that names its class when the site is a wrapper's. *name_pc is the
/// frame that names it; prefix/nprefix the frames (DEPT_FUNNEL_DEPTH at most).
#define DEPT_FUNNEL_DEPTH 8
DEPT_HIDDEN uint64_t dept_init_class_key(uintptr_t site, uint32_t inst, uintptr_t *name_pc,
                                         uintptr_t *prefix, uint32_t *nprefix);

/// Whether return address `ret` follows a call through a function pointer
/// (indirect_calls.c): an init call string names its object's kind up to
/// there.
DEPT_HIDDEN bool dept_after_indirect_call(uintptr_t ret);

// ---- stacks ------------------------------------------------------------

/// Captures the caller's stack (skipping dept's own frames) and interns it.
DEPT_HIDDEN uint32_t dept_capture_stack(void);
/// The first `max` frames of the caller outside dept (at most 24), not
/// interned.
DEPT_HIDDEN int dept_caller_frames(uintptr_t *out, int max);
/// The same, for a hook the program called from return address pc: fast
/// when dept's frames above keep their frame pointers, and with memos of
/// walks that still hold (stack_capture.c says how).
DEPT_HIDDEN int dept_caller_frames_at(uintptr_t pc, uintptr_t *out, int max, struct dept_walk_memo *memos,
                                      int nmemos, int *slot);
/// The stack pointer of the program's frame that called a hook from return
/// address pc (after the return), found through dept's frame pointers; 0
/// when they do not lead there.
DEPT_HIDDEN uintptr_t dept_program_sp(uintptr_t pc);
/// Per-thread memo: returns the stack id remembered for key, or 0.
#define DEPT_SEEN_SLOT(key) ((uint32_t)((key) >> 55) & (DEPT_SEEN_SLOTS - 1))
static inline uint32_t dept_seen_get(struct dept_thread *t, uint64_t key) {
    uint32_t slot = DEPT_SEEN_SLOT(key);
    return t->seen[slot] == key ? t->seen_stack[slot] : 0;
}
static inline void dept_seen_put(struct dept_thread *t, uint64_t key, uint32_t stack) {
    uint32_t slot = DEPT_SEEN_SLOT(key);
    t->seen[slot] = key;
    t->seen_stack[slot] = stack;
}
/// The process-wide second level of the memos (known_table.c): the stack id
/// recorded for key, and in *tid the dept thread that recorded it; 0 when
/// unknown. Lossy: a miss only means asking the core again.
DEPT_HIDDEN uint32_t dept_known_get(uint64_t key, uint32_t *tid);
DEPT_HIDDEN void dept_known_put(uint64_t key, uint32_t stack, uint32_t tid);
/// One multiply per step: bijective in v for a given h, so distinct
/// (chain, value) pairs practically never collide; the top bits index.
static inline uint64_t dept_mix(uint64_t h, uint64_t v) {
    return ((h ^ v) + 0x632be59bd9b4e019ull) * 0x9e3779b97f4a7c15ull;
}
/// A code address spread over all 64 bits before it goes into a key. Mixed
/// in raw, it shared its bits with what the key held already: two mutexes
/// whose addresses differ exactly as two call sites do (neighbouring
/// statics; sites 0x700 apart) had one acquisition key, and the second was
/// pushed with the first one's class (Examples/acq_key_site_clash). The
/// high half folded into the low one: a product alone keeps two close
/// sites' low bits equal.
static inline uint64_t dept_pc_hash(uintptr_t pc) {
    uint64_t h = (uint64_t)pc * 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}
/// dept_mix with a call site (dept_pc_hash says why not dept_mix).
static inline uint64_t dept_mix_pc(uint64_t h, uintptr_t pc) { return dept_mix(h, dept_pc_hash(pc)); }
/// The start of a memo key about class cls, before the values mixed in
/// next: the class hashed in by itself. `tag ^ cls` shared its low bits
/// with the next value: class 1's post and class 11's unlock (1 ^ 13 ==
/// 11 ^ 7) had one release-site key, and the post's site went untold.
static inline uint64_t dept_class_key(uint64_t tag, uint32_t cls) { return dept_mix(tag, cls); }

// ---- the model, as the hooks use it -----------------------------------

/// The stack of an acquisition made with nothing to wait for (a trylock),
/// remembered per class, operation and what names the site (pc, or a lock
/// wrapper's call string key: lock_sites.c).
DEPT_HIDDEN uint32_t dept_site_stack(struct dept_thread *t, uint32_t cls, uint16_t op, uintptr_t pc);
/// A wait on an object is about to start (may sleep). Records new
/// dependencies between the held contexts and the awaited event, and runs
/// the cycle check in the core when something new appears.
/// Returns the stack id of this wait ([W], also the [S] of the acquisition).
DEPT_HIDDEN uint32_t dept_wait_begin(struct dept_thread *t, struct dept_obj_ref o, uint16_t awaits,
                                     uint16_t op, uint32_t flags, uintptr_t pc);
/// The thread entered the event context of (o, mode): it now holds it.
DEPT_HIDDEN void dept_ecxt_enter(struct dept_thread *t, uintptr_t addr, struct dept_obj_ref o,
                                 uint16_t mode, uint16_t op, uint32_t flags, uint32_t stack, uintptr_t pc);
/// The event of a held context happened (e.g. unlock). Returns false when the
/// thread did not hold it.
DEPT_HIDDEN bool dept_ecxt_exit(struct dept_thread *t, uintptr_t addr, uint16_t op, uintptr_t pc);
/// Finds a held entry for addr (top-down), or NULL.
DEPT_HIDDEN struct dept_held *dept_held_find(struct dept_thread *t, uintptr_t addr);
DEPT_HIDDEN void dept_drop_held(struct dept_thread *t, uintptr_t addr);
DEPT_HIDDEN void dept_warn(uint32_t kind, struct dept_thread *t, uint32_t cls, bool with_stack);
/// Waits under a binary semaphore that found a thread's tentative buffer
/// full (each a dependency the model may have lost), over the process.
DEPT_HIDDEN uint64_t dept_tentative_dropped(void);
/// Waits and events a thread on a small stack did not tell the core, over
/// the process.
DEPT_HIDDEN uint64_t dept_short_stack_skips(void);

// ---- module_list.c
/// The loaded object mapped at base under name: its record (its path as the
/// loader keeps it) and its lowest mapped address.
DEPT_HIDDEN bool dept_module_find(uintptr_t base, const char *name, struct dept_module *m, uintptr_t *lo);
/// The module was unmapped: kept, so that stacks captured while it was
/// mapped still symbolize.
DEPT_HIDDEN void dept_module_gone(const struct dept_module *m);
/// The modules mapped before a dlclose, to tell after it which ones it
/// unmapped: the library closed, and the libraries it alone needed (a
/// plugin's codec library goes with the plugin). In memory of its own
/// (dept_modules_release frees it): the loader frees their names.
struct dept_mapped { struct dept_module m; uintptr_t lo; bool gone; };
struct dept_module_snapshot { struct dept_mapped *mods; uint32_t n; void *mem; size_t bytes; };
DEPT_HIDDEN bool dept_modules_snapshot(struct dept_module_snapshot *s);
/// Marks the snapshot's modules that are no longer mapped; returns how many.
DEPT_HIDDEN uint32_t dept_modules_unmapped(struct dept_module_snapshot *s);
DEPT_HIDDEN void dept_modules_release(struct dept_module_snapshot *s);

// ---- waits and events beyond locks (sync_state.c) ----------------------

/// One of an object's latest releases: its number (the object's release
/// count after it; 0 while the entry is being written) and its epoch.
struct dept_release_note { uint32_t seq; struct dept_epoch at; };

/// Per-instance state of objects that can be waited on and posted by
/// different threads (condvars, semaphores, eventfds), and of the objects
/// clocks are released into (thread bodies, mutexes a signal published into).
struct dept_sync {
    // Written on every hand-over by its waiters and its posters: one line
    // (and the clock's entries a second one), so a post and the wait it ends
    // move two lines between their cores, not three lines and a page.
    _Atomic int32_t waiters;       // threads inside a wait on it now
    _Atomic uint32_t holder;       // binary semaphore: dept tid of the taker, 0 if none
    _Atomic uint64_t window;       // wait clock when the current waiting episode began
    _Atomic uint32_t hold_gen;     // bumped on every take and release
    // Under clk_lock: the clock released into the object (clocks.h).
    dept_spin clk_lock;
    uint32_t clk_n;                // releases joined into clk_vc in this episode (0: nothing)
    uint32_t clk_seq;              // releases ever
    struct dept_release_note clk_recent[DEPT_SAT_MAX];
    // The last two threads that triggered its event (for the hang monitor),
    // written by posters that alternate: on the line every post writes
    // anyway, not one more line for every post to move.
    _Atomic uint32_t triggered_by[2];
    // The clock's entries while DEPT_SYNC_INLINE_VC are enough (clk_vc
    // points here), in the line after the first instead of a page of their
    // own.
    uint32_t clk_inline[DEPT_SYNC_INLINE_VC];
    // Set when the object is made, or rarely written.
    uint32_t inst;
    _Atomic uint32_t binary;       // semaphore initialised to 1: used as a lock
    _Atomic uint32_t handed;       // binary, but its holder waited for it: handed between threads (sem_hooks.c)
    _Atomic uint32_t lock_proven;  // binary, and a taker posted it: used as a lock (the live monitor's owner)
    _Atomic uint32_t pshared;      // shared between processes: another process may post it
    _Atomic uint32_t tokens;       // created with a positive count (semaphore, eventfd)
    _Atomic uint32_t partner;      // condvar: instance of the mutex of its latest wait (cond_checks.c)
    _Atomic uint32_t timed_waiters;   // threads inside a timed wait on it now (they join no episode)
    uint32_t *clk_vc;
    uint32_t clk_cap;
    /// Bumped under clk_lock whenever clk_vc or clk_n changes (never 0
    /// once changed): a thread that joined the clock at this version knows
    /// all of it until it changes (clocks.c, dept_clock_acquire_published).
    _Atomic uint32_t clk_version;
    struct dept_sync *next_free;   // while given back (sync_state.c)
} __attribute__((aligned(64)));
_Static_assert(__builtin_offsetof(struct dept_sync, triggered_by) + sizeof(uint32_t[2]) <= 64,
               "what every post writes fits the record's first line");
DEPT_HIDDEN struct dept_sync *dept_sync_get(uint32_t inst);
/// dept_sync_lookup's miss (sync_memo.c): the two lookups, and the set's
/// refill with the answer.
DEPT_HIDDEN struct dept_sync *dept_sync_lookup_miss(struct dept_sync_memo *set, uintptr_t addr, uint32_t kind,
                                                    uintptr_t site, uint64_t gen, struct dept_obj_ref *o);
/// The object at addr and its record (0 when memory is out), as
/// dept_obj_lookup and dept_sync_get find them, answered from the thread's
/// memo while the address's generation holds (sync_memo.c says why that
/// is enough).
/// *memo: the thread's memo entry of the object (NULL when none was kept).
static inline struct dept_sync *dept_sync_lookup_memo(struct dept_thread *t, uintptr_t addr, uint32_t kind,
                                                      uintptr_t site, struct dept_obj_ref *o,
                                                      struct dept_sync_memo **memo) {
    // Hashed: semaphores lie 32 bytes apart, condvars 48 or 64, eventfd
    // keys 1 (one per fd number).
    struct dept_sync_memo *set = t->sync_memo[(addr * 0x9e3779b97f4a7c15ull) >> 61];
    uint64_t gen = dept_acq_gen(addr);
    for (int w = 0; w < 2; w++) {
        struct dept_sync_memo *m = &set[w];
        if (LIKELY(m->addr == addr && m->gen == gen && addr)) {
            *o = (struct dept_obj_ref){ m->cls, m->inst, addr };
            *memo = m;
            return m->sync;
        }
    }
    struct dept_sync *sy = dept_sync_lookup_miss(set, addr, kind, site, gen, o);
    *memo = set[0].addr == addr && addr ? &set[0] : 0;
    return sy;
}
static inline struct dept_sync *dept_sync_lookup(struct dept_thread *t, uintptr_t addr, uint32_t kind,
                                                 uintptr_t site, struct dept_obj_ref *o) {
    struct dept_sync_memo *memo;
    return dept_sync_lookup_memo(t, addr, kind, site, o, &memo);
}
/// The object of instance inst is gone (0: nothing): its record is reused.
DEPT_HIDDEN void dept_sync_forget(uint32_t inst);
DEPT_HIDDEN struct dept_sync *dept_sync_find(uint32_t inst);
DEPT_HIDDEN uint64_t dept_wait_clock_tick(void);
/// The wait clock's next tick, without taking it.
DEPT_HIDDEN uint64_t dept_wait_clock_read(void);
/// An untimed wait on s starts at wait clock ts; returns the object's
/// release count then (for dept_clock_acquire_episode).
DEPT_HIDDEN uint32_t dept_sync_wait_begin(struct dept_sync *s, uint64_t ts);
/// The wait on instance inst is over; nothing when s has been given to
/// another object meanwhile (the object was destroyed under its waiter).
DEPT_HIDDEN void dept_sync_wait_end(struct dept_sync *s, uint32_t inst);
DEPT_HIDDEN void dept_sync_atfork(int phase);

/// Records a non-lock wait in the thread's history (for the events it
/// triggers later). Returns the wait's timestamp.
DEPT_HIDDEN uint64_t dept_hist_push(struct dept_thread *t, struct dept_obj_ref o, uint32_t stack, uint16_t awaits, uint16_t op);
/// A history entry as the core reads it.
static inline struct dept_history_view dept_hist_view(const struct dept_hist *h) {
    return (struct dept_history_view){ h->ts, h->cls, h->inst, h->stack, h->awaits, h->op, h->returned,
                                       { h->sat[0], h->sat[1] }, h->nsat, h->at, h->request };
}
/// A join starts: its history entry, with what the joiner knows then.
DEPT_HIDDEN void dept_hist_push_join(struct dept_thread *t, struct dept_obj_ref o, uint32_t stack);
/// An untimed wait on a condvar, semaphore or eventfd, between its start
/// and its return (model.c): the object's waiting episode, the thread's
/// history entry, and the object's release count when it started.
/// `ready`: the tokens the object held when the wait started (a semaphore's
/// count, set by its hook; 0 when unknown).
struct dept_sync_wait { struct dept_sync *sync; uint32_t hist; uint32_t seq; uint32_t inst; uint32_t ready; };
/// `sy` is o's record (dept_sync_get), which the hooks have looked up
/// already: a second lookup was an eighth of what a semaphore wait costs.
DEPT_HIDDEN struct dept_sync_wait dept_sync_wait_enter(struct dept_thread *t, struct dept_obj_ref o, struct dept_sync *sy,
                                                       uint32_t stack, uint16_t op, bool history);
DEPT_HIDDEN void dept_sync_wait_leave(struct dept_thread *t, struct dept_sync_wait *w);
/// An untimed wait that took one of the `ready` tokens it found without
/// blocking: history only, with no waiting episode.
DEPT_HIDDEN void dept_sync_wait_found(struct dept_thread *t, struct dept_obj_ref o, struct dept_sync *sy,
                                      uint32_t stack, uint16_t op, uint32_t ready);
/// DEPT_EVENT_RELEASE: a binary semaphore released on its taker's behalf
/// (only the contexts held count). DEPT_EVENT_UNHELD: the contexts held do
/// not count, only the waits of the object's current waiting episode: a
/// barrier arrival, whose thread keeps what it holds while it waits at the
/// barrier (recorded as that wait's dependencies); taken as the arrival's,
/// they would only join rounds that never overlap.
enum { DEPT_EVENT_RELEASE = 1, DEPT_EVENT_UNHELD = 2 };
/// An event on o (post, signal, write, hand-off release): records what it
/// depends on (see model.c for the rules). `sy` is o's record, as for
/// dept_sync_wait_enter.
/// `check`: a condvar signal whose thread checked its predicate after
/// entering the contexts marked DEPT_HELD_BEFORE_CHECK: that check's site
/// (lock_takes.c); else 0.
DEPT_HIDDEN void dept_event(struct dept_thread *t, struct dept_obj_ref o, struct dept_sync *sy, uint16_t op,
                            uint32_t flags, uintptr_t pc, uint32_t check);
// Releases by event (lock_takes.c): the thread's FUTEX_WAIT on a word
// returned, or its wait on a semaphore (or it made one with no token):
// dept_take_seen. Before its FUTEX_WAKE of the word, mark the held contexts
// entered before it took the word (DEPT_HELD_BEFORE_TAKE, or
// DEPT_HELD_UNSURE_TAKE while the word's class is not known to be a lock);
// before its post of the semaphore, those it took it inside. True when
// some were marked: unmark after the event.
DEPT_HIDDEN void dept_take_seen(struct dept_thread *t, uintptr_t word);
/// The object is made anew or destroyed: a take recorded for its address
/// is not its.
DEPT_HIDDEN void dept_take_forget(struct dept_thread *t, uintptr_t obj);
/// Held entry i is about to be released: takes made inside it are no
/// longer inside what the thread holds (dept_held_remove calls it).
DEPT_HIDDEN void dept_takes_left(struct dept_thread *t, uint32_t i);
DEPT_HIDDEN bool dept_futex_mark_before_take(struct dept_thread *t, uintptr_t word, uint32_t cls);
DEPT_HIDDEN bool dept_sem_mark_before_take(struct dept_thread *t, uintptr_t sem);
/// A check of a condvar of class cond_cls, made holding mutex instance
/// mutex_inst, ended (the mutex released) at site `check`: the thread took
/// what its next signal of that condvar gives back. Returns the takes slot
/// of the record.
DEPT_HIDDEN uint32_t dept_cond_take_seen(struct dept_thread *t, uint32_t mutex_inst, uint32_t cond_cls, uint32_t check);
/// Before the thread signals a condvar of class cond_cls whose latest wait
/// was with mutex instance mutex_inst: marks the held contexts it entered
/// before its last check of it with that mutex (DEPT_HELD_BEFORE_CHECK) and
/// returns that check's site, or 0 when it has none (nothing marked).
DEPT_HIDDEN uint32_t dept_cond_mark_before_check(struct dept_thread *t, uint32_t mutex_inst, uint32_t cond_cls);
DEPT_HIDDEN void dept_take_unmark(struct dept_thread *t);
/// The thread posts a binary semaphore it took: its tentative dependencies
/// become real (confirm) or, on a hand-off, are forgotten (!confirm).
DEPT_HIDDEN void dept_tentative_settle(struct dept_thread *t, uint32_t inst, bool confirm);
/// Drops binary-semaphore holds that another thread released meanwhile.
DEPT_HIDDEN void dept_held_validate(struct dept_thread *t);
/// A futex lock the thread holds was released without a hook seeing it (its
/// word no longer names the thread): futex_word.c.
DEPT_HIDDEN bool dept_futex_hold_lost(struct dept_thread *t, const struct dept_held *h);
/// The owner's TID in the priority-inheritance futex word a thread sleeps
/// on (false when the word cannot be read).
DEPT_HIDDEN bool dept_futex_owner(uintptr_t word, int32_t *tid);

// ---- the fast path, inline in the hooks --------------------------------
// A known situation is answered from the thread's own memo: no call, no
// lock, no shared write. Anything new falls back to the out-of-line
// functions above, which compute the same keys.

#define DEPT_TAG_SITE 0x5349544500000000ull
#define DEPT_CHAIN_SEED 0x243f6a8885a308d3ull

static inline uint64_t dept_site_key(uint32_t cls, uint16_t op, uintptr_t pc) {
    return dept_mix_pc(DEPT_TAG_SITE ^ ((uint64_t)cls << 16) ^ op, pc);
}
static inline uint64_t dept_chain_next(uint64_t prev, uint32_t cls, uint16_t mode) {
    return dept_mix(prev, ((uint64_t)cls << 16) | mode);
}
/// A held entry's chain: the classes and modes up to it, and the address of
/// each object of a per-object class among them (which of them is held is
/// part of every situation, and the acquisition cache's key then needs no
/// scan of the held locks: nested locks of a static array paid 16% of the
/// lock hook for it).
static inline uint64_t dept_held_chain(uint64_t prev, uint32_t cls, uint16_t mode, uintptr_t obj, bool per_object) {
    uint64_t c = dept_chain_next(prev, cls, mode);
    return UNLIKELY(per_object) ? dept_mix(c, obj) : c;
}
// Class hints (class_hints.c): one byte per class id in reserved mappings,
// read inline by the hooks (an out-of-line call per acquisition and per
// release was a tenth of a cached lock's work at 10,000 classes).
#define DEPT_MAX_HINTED_CLASSES (1u << 24)
#define DEPT_CLASS_PUBLISHED 4
#define DEPT_CLASS_PER_OBJECT 8
#define DEPT_CLASS_PTHREAD_MUTEX 16
#define DEPT_CLASS_FUTEX_LOCK 32
#define DEPT_CLASS_COND_MUTEX 64
DEPT_HIDDEN extern _Atomic(_Atomic uint8_t *) dept_class_bytes, dept_class_site_ops;
static inline uint32_t dept_class_bits(uint32_t cls) {
    _Atomic uint8_t *b = atomic_load_explicit(&dept_class_bytes, memory_order_acquire);
    if (!b || cls >= DEPT_MAX_HINTED_CLASSES) return 0;
    return atomic_load_explicit(&b[cls], memory_order_relaxed);
}
/// Address directions of same-class pairs the core said it no longer needs,
/// per class; 0 for classes it said nothing about.
static inline uint32_t dept_same_class_skip(uint32_t cls) {
    return dept_class_bits(cls) & (DEPT_SAME_SKIP_UP | DEPT_SAME_SKIP_DOWN);
}
/// Whether some mutex of the class carries a published clock (clocks.h).
static inline bool dept_class_published(uint32_t cls) { return dept_class_bits(cls) & DEPT_CLASS_PUBLISHED; }
DEPT_HIDDEN void dept_class_mark_published(uint32_t cls);
/// The class's futex words behave as locks (lock_takes.c).
static inline bool dept_class_futex_lock(uint32_t cls) { return dept_class_bits(cls) & DEPT_CLASS_FUTEX_LOCK; }
DEPT_HIDDEN void dept_class_mark_futex_lock(uint32_t cls);
/// Classes of explicitly initialised static objects.
static inline bool dept_class_per_object(uint32_t cls) { return dept_class_bits(cls) & DEPT_CLASS_PER_OBJECT; }
/// The class's objects are pthread mutexes (their kind is part of the class
/// key, so a class never mixes kinds).
static inline bool dept_class_pthread_mutex(uint32_t cls) { return dept_class_bits(cls) & DEPT_CLASS_PTHREAD_MUTEX; }
DEPT_HIDDEN void dept_class_mark_pthread_mutex(uint32_t cls);
DEPT_HIDDEN void dept_class_mark_per_object(uint32_t cls);
DEPT_HIDDEN void dept_class_mark_cond_mutex(uint32_t cls);
// Predicate checks of condvars (cond_checks.c). A check's site: the mutex
// class and the call site that took it, hashed (never 0).
DEPT_HIDDEN uint32_t dept_cond_check_site(uint32_t mutex_cls, uintptr_t pc);
/// The site a condvar wait made at wait_pc, holding a mutex of class
/// mutex_cls taken at lock_pc, would make a check site: 0 when the two calls
/// are not made by one function (a lock or wait wrapper names no place).
DEPT_HIDDEN uint32_t dept_cond_check_candidate(struct dept_thread *t, uint32_t mutex_cls, uintptr_t lock_pc,
                                               uintptr_t wait_pc);
/// The thread waited on a condvar of class cond_cls at candidate site
/// `check` (dept_cond_check_candidate) of a mutex of class mutex_cls: from
/// now on, every acquisition there checks that condvar. False when the
/// table is full.
DEPT_HIDDEN bool dept_cond_check_learn(uint32_t check, uint32_t cond_cls, uint32_t mutex_cls);
/// The class of the condvar an acquisition of a mutex of class mutex_cls at
/// pc checks, or 0 (read only for classes marked DEPT_CLASS_COND_MUTEX).
DEPT_HIDDEN uint32_t dept_cond_check_at(uint32_t mutex_cls, uintptr_t pc);
/// A check begun by taking mutex instance inst, of class mutex_cls, at pc
/// has ended: the entry is already off the thread's held stack
/// (lock_takes.c records it). Called with the guard up.
DEPT_HIDDEN void dept_cond_check_ended(struct dept_thread *t, uint32_t mutex_cls, uint32_t inst, uintptr_t pc);
/// Whether the core has a call site for events `op` of the class (told by
/// any thread), and the mark that says so.
static inline bool dept_class_event_site_known(uint32_t cls, uint16_t op) {
    _Atomic uint8_t *b = atomic_load_explicit(&dept_class_site_ops, memory_order_acquire);
    return b && cls < DEPT_MAX_HINTED_CLASSES && atomic_load_explicit(&b[cls], memory_order_relaxed) == (uint8_t)(op + 1);
}
DEPT_HIDDEN void dept_class_mark_event_site(uint32_t cls, uint16_t op);
extern _Atomic int dept_per_object_classes;
/// What per-object classes add to a memo key: the addresses of the objects
/// of such classes held (other than of class `except`, whose nesting in
/// itself instance pairs already key), 0 while the process has no such
/// class. Addresses, not instances: an object destroyed and initialised
/// again is the same static object (as when it was a class of its own),
/// so re-initialising does not make every later wait new. *other: whether
/// a lock of another class than `except` is held.
static inline uint64_t dept_held_objects_key(struct dept_thread *t, uint32_t except, bool *other) {
    uint64_t k = 0;
    uint32_t below = 0;
    for (uint32_t i = 0; i < t->nheld; i++) {
        const struct dept_held *h = &t->held[i];
        bool per_object = h->objects > below;
        below = h->objects;
        if (h->cls == except) continue;
        if (!(h->flags & DEPT_HELD_THREAD)) *other = true;
        if (per_object) k = dept_mix(k | 1, h->obj);
    }
    return k;
}
/// A wait's: the held objects of per-object classes, and the awaited
/// object when its class is per-object and a lock of another class is held
/// (an edge between classes; same-class pairs are keyed already). Not for
/// the thread's body alone: every wait of every thread on each of
/// thousands of bucket locks would be new. The cost in recall (README): a
/// thread that waits for one of them while another holds it and joins the
/// thread is predicted only for the first object of the class that thread
/// waited for at that site; it is still caught live if it hangs.
static inline uint64_t dept_object_key(struct dept_thread *t, struct dept_obj_ref o) {
    if (LIKELY(!atomic_load_explicit(&dept_per_object_classes, memory_order_relaxed))) return 0;
    bool awaited = dept_class_per_object(o.cls);
    uint32_t n = t->nheld;
    if (!awaited && (!n || !t->held[n - 1].objects)) return 0;
    // Nothing held but the thread's body: no object and no other lock. A
    // static semaphore initialised at run time is a per-object class, and
    // each of its waits in a thread paid the scan's call for this.
    if (n == 0 || (n == 1 && (t->held[0].flags & DEPT_HELD_THREAD) && !t->held[0].objects)) return 0;
    bool other = false;
    uint64_t k = dept_held_objects_key(t, o.cls, &other);
    return other && awaited ? dept_mix(k | 1, o.addr) : k;
}
static inline uint64_t dept_with_objects(uint64_t key, struct dept_thread *t, struct dept_obj_ref o) {
    uint64_t k = dept_object_key(t, o);
    return UNLIKELY(k) ? dept_mix(key, k) : key;
}
static inline bool dept_pair_skipped(uint32_t cls, uintptr_t held, uintptr_t awaited) {
    if (!held || !awaited || held == awaited) return false;
    return dept_same_class_skip(cls) & (held < awaited ? DEPT_SAME_SKIP_UP : DEPT_SAME_SKIP_DOWN);
}

/// Memo key of a wait while contexts are held, without its instance pairs:
/// the whole held chain, the wait and its site.
static inline uint64_t dept_wait_base_key(struct dept_thread *t, struct dept_obj_ref o, uint16_t awaits, uintptr_t pc) {
    return dept_mix_pc(t->held[t->nheld - 1].chain ^ ((uint64_t)o.cls << 16) ^ awaits, pc);
}
/// The first entry of held[0..count) whose class is cls, or count. A
/// thread holding a thousand locks paid a scan of them three times per
/// acquisition; the answer is kept for the same held classes (the chain of
/// held[count-1] names them).
static inline uint32_t dept_class_index(struct dept_thread *t, uint32_t cls, uint32_t count) {
    uint64_t chain = count ? t->held[count - 1].chain : DEPT_CHAIN_SEED;
    if (count > 8 && t->ci_cls == cls && t->ci_count == count && t->ci_chain == chain) return t->ci_index;
    uint32_t i = 0;
    while (i < count && LIKELY(t->held[i].cls != cls)) i++;
    if (count > 8) { t->ci_cls = cls; t->ci_count = count; t->ci_chain = chain; t->ci_index = i; }
    return i;
}
/// The full memo key. Same-class nesting adds each instance pair, in order
/// (held, then awaited: x-then-y and y-then-x are different situations, and
/// a symmetric mix such as x ^ y made the second look known). A held entry
/// of the awaited class whose pair the core said it knows enough of (its
/// address direction is skipped) is left out altogether: the core learns
/// nothing from it, and nesting ten instances deep in random read/write
/// modes would otherwise make a new key of every combination of modes.
static inline uint64_t dept_wait_key(struct dept_thread *t, struct dept_obj_ref o, uint16_t awaits, uintptr_t pc) {
    uint32_t n = t->nheld, i = dept_class_index(t, o.cls, n);
    if (LIKELY(i == n)) return dept_with_objects(dept_wait_base_key(t, o, awaits, pc), t, o);
    uint64_t chain = i ? t->held[i - 1].chain : DEPT_CHAIN_SEED, pairs = 0;
    for (; i < n; i++) {
        const struct dept_held *h = &t->held[i];
        if (h->cls == o.cls) {
            if (dept_pair_skipped(o.cls, h->obj, o.addr)) continue;
            pairs = dept_mix(dept_mix(pairs, h->inst), o.inst);
        }
        chain = dept_chain_next(chain, h->cls, h->mode);
    }
    return dept_with_objects(dept_mix(dept_mix_pc(chain ^ ((uint64_t)o.cls << 16) ^ awaits, pc), pairs), t, o);
}

/// What a wait of kind op says it woke (woke_cls): only a wait for a
/// signal, post or write, whose event another thread may fire once woken.
static inline uint32_t dept_woke_for(const struct dept_thread *t, uint16_t op) {
    return op == DEPT_OP_COND_WAIT || op == DEPT_OP_SEM_WAIT || op == DEPT_OP_EVENTFD_READ ? t->woke_cls : 0;
}
/// A wait for a signal, post or write on an object of class cls began
/// (timed or not, told already): what the thread woke before it is spent,
/// and its events from now on come after a wait on cls.
static inline void dept_waited_for_event(struct dept_thread *t, uint32_t cls) {
    t->woke_cls = 0;
    t->last_wait_cls = cls;
}

static inline uint32_t dept_wait_begin_fast(struct dept_thread *t, struct dept_obj_ref o, uint16_t awaits,
                                            uint16_t op, uint32_t flags, uintptr_t pc) {
    dept_clock_waited(t, o.inst);
    // Keys as dept_wait_begin remembers them (a join's names its thread
    // there: never answered here).
    if (LIKELY(!t->sems_held && !(flags & DEPT_WAIT_TIMED) && op != DEPT_OP_JOIN && dept_config.detect_potential)) {
        uint64_t key = t->nheld ? dept_wait_key(t, o, awaits, pc) : dept_site_key(o.cls, op, pc);
        uint32_t woke = dept_woke_for(t, op);
        if (UNLIKELY(woke) && t->nheld) key = dept_mix(key, woke);
        uint32_t s = dept_seen_get(t, key);
        if (LIKELY(s)) return s;
    }
    return dept_wait_begin(t, o, awaits, op, flags, pc);
}

static inline __attribute__((always_inline)) void dept_push_fast(struct dept_thread *t, uintptr_t addr, struct dept_obj_ref o,
                                  uint16_t mode, uint16_t op, uint32_t flags, uint32_t stack, uintptr_t pc) {
    uint32_t n = t->nheld;
    if (UNLIKELY(n == t->held_cap) && !dept_held_grow(t)) return;
    if (UNLIKELY(dept_class_bits(o.cls) & DEPT_CLASS_COND_MUTEX) && dept_cond_check_at(o.cls, pc))
        flags |= DEPT_HELD_COND_CHECK;
    struct dept_held *h = &t->held[n];
    bool per_object = UNLIKELY(atomic_load_explicit(&dept_per_object_classes, memory_order_relaxed))
                      && dept_class_per_object(o.cls);
    h->obj = addr;
    h->chain = dept_held_chain(n ? t->held[n - 1].chain : DEPT_CHAIN_SEED, o.cls, mode, addr, per_object);
    h->cls = o.cls;
    h->inst = o.inst;
    h->stack = stack;
    h->mode = mode;
    h->op = op;
    h->count = 1;
    h->flags = flags;
    h->objects = (n ? t->held[n - 1].objects : 0) + per_object;
    h->site = pc;
    t->nheld = n + 1;
}

/// Index of the held entry for addr (top first), or -1.
static inline int32_t dept_held_index(struct dept_thread *t, uintptr_t addr) {
    int32_t i = (int32_t)t->nheld - 1;
    if (LIKELY(i >= 0 && t->held[i].obj == addr)) return i;
    while (--i >= 0)
        if (t->held[i].obj == addr) return i;
    return -1;
}

// ---- known acquisitions --------------------------------------------------
// A lock taken again in the same situation (same held chain, same lock, same
// operation, same call site) is answered by one probe of the thread's
// acquisition cache, which holds the entry the slow path pushed for it.

static inline uint64_t dept_acq_key(struct dept_thread *t, uintptr_t addr, uint16_t op, uintptr_t pc) {
    uint32_t n = t->nheld;
    // The chain names the held objects of per-object classes too.
    uint64_t chain = n ? t->held[n - 1].chain : DEPT_CHAIN_SEED;
    return dept_mix_pc(chain ^ addr ^ ((uint64_t)op << 56), pc);
}
/// Whether the thread may push a cached entry at all: not when the held
/// array must grow first. While a semaphore is held only situations whose
/// waits were settled are cached (dept_acq_remember), and their keys name
/// the semaphore's class among the held ones.
static inline bool dept_acq_room(const struct dept_thread *t) {
    return t->nheld < t->held_cap;
}
/// Whether a cached entry (its key already matched) may be pushed, gen
/// being dept_acq_gen of its lock.
static inline bool dept_acq_valid_gen(const struct dept_thread *t, const struct dept_acq *a, uint64_t gen) {
    return a->e.gen == gen && dept_acq_room(t);
}
/// Whether a cached entry for addr (its key already matched) may be pushed.
static inline bool dept_acq_valid(const struct dept_thread *t, const struct dept_acq *a, uintptr_t addr) {
    return dept_acq_valid_gen(t, a, dept_acq_gen(addr));
}
/// Whether a first-level entry (its key already matched) is one a hit must
/// attend to (DEPT_ACQ_ATTEND) and may be pushed, gen being dept_acq_gen of
/// its lock.
static inline bool dept_acq_attends(const struct dept_thread *t, const struct dept_acq *a, uint64_t gen) {
    return (a->e.gen & ~DEPT_ACQ_REASONS) == (gen | DEPT_ACQ_ATTEND) && dept_acq_room(t);
}
static inline bool dept_acq_usable(const struct dept_thread *t, const struct dept_acq *a, uint64_t key,
                                   uintptr_t addr) {
    return a->key == key && dept_acq_valid(t, a, addr);
}
/// The cached entry for key, or NULL.
static inline struct dept_acq *dept_acq_probe(struct dept_thread *t, uint64_t key, uintptr_t addr) {
    struct dept_acq *a = &t->acq[key >> 58];
    return LIKELY(dept_acq_usable(t, a, key, addr)) ? a : 0;
}

// The second level is placed by the lock's address, not by the key's hash:
// such a thread walks its locks in address order far more often than not
// (arrays of locks, objects allocated together), and a hashed slot made
// every probe a cache miss (half of scale_classes' time). Neighbouring
// locks now probe neighbouring memory, which the prefetcher streams: a set
// is 8 ways whose keys share one cache line, and a lock's situations (held
// chains) share its set. A hit is used where it is: moving it into the
// first level would write to a place the hash picks, the miss this layout
// avoids.
static inline uint32_t dept_acq_near(uintptr_t addr) { return (uint32_t)(addr >> 6) & (DEPT_ACQ_MORE_SETS - 1); }

// A thread whose acquisitions never repeat (new objects each time, random
// instances of one class nested) gains nothing from the second level and
// pays a cache miss for every probe and spill. When a window of
// DEPT_MORE_WINDOW misses saw fewer than one hit for DEPT_MORE_MIN_HITS
// probes, the level rests for DEPT_MORE_REST acquisitions (more_on is NULL
// then); it keeps its entries, so a thread that does come back to them
// finds them when it is used again. The window counts misses, not probes:
// a hit then costs one increment, no test.
//
// Only a level that has been filled to DEPT_MORE_FULL of its entries is
// judged: until then no hit can be expected of a thread that repeats its
// situations in a cycle longer than a window (scale_classes' 20k per
// round), and a rest in its first round lost every situation met during
// it, which the next round then missed again, and so on: its second level
// only held the whole cycle after about 20 rounds, each with thousands of
// acquisitions on the slow path. A thread whose situations never repeat
// pays the spills until the level is that full, then rests as before.
#define DEPT_MORE_WINDOW 4096
#define DEPT_MORE_MIN_HITS 16
#define DEPT_MORE_REST 16384
#define DEPT_MORE_FULL (DEPT_ACQ_MORE_SETS * DEPT_ACQ_MORE_WAYS / 2)

static inline const struct dept_acq_entry *dept_acq_more_missed(struct dept_thread *t) {
    if (++t->more_misses == DEPT_MORE_WINDOW) {
        // Hits may have wrapped after 2^32 of them: a rest it causes is
        // harmless.
        if (t->more_hits < DEPT_MORE_WINDOW / (DEPT_MORE_MIN_HITS - 1) && t->more_used >= DEPT_MORE_FULL) {
            t->more_off = DEPT_MORE_REST;
            t->more_on = 0;
        }
        t->more_misses = t->more_hits = 0;
    }
    return 0;
}

/// The first level's entry for key if it is one a hit must attend to
/// (DEPT_ACQ_ATTEND), else NULL.
static inline __attribute__((always_inline)) struct dept_acq *dept_acq_probe_published(struct dept_thread *t, uint64_t key, uintptr_t addr) {
    struct dept_acq *a = &t->acq[key >> 58];
    return a->key == key && dept_acq_attends(t, a, dept_acq_gen(addr)) ? a : 0;
}

/// The cached entry for key, taking addr, from the second level, or NULL;
/// for acquisitions that missed dept_acq_probe. Its count of per-object
/// entries is 0. Inline: the lock hook's path after a first-level miss is
/// this probe and a push. *published says whether a hit needs attention
/// (DEPT_ACQ_ATTEND: a published clock, or a condvar check), which
/// lock_published gives it.
static inline __attribute__((always_inline)) const struct dept_acq_entry *dept_acq_probe_more(struct dept_thread *t, uint64_t key, uintptr_t addr,
                                                               bool *published) {
    struct dept_acq_more *m = t->more_on;
    if (UNLIKELY(!m)) {
        if (t->more_off && !--t->more_off) t->more_on = t->acq_more;
        return 0;
    }
    uint32_t set = dept_acq_near(addr);
    // The line of the first two entries is asked for with the keys' line,
    // not after the compare: a thread cycling through thousands of locks
    // finds neither in its first-level cache, and the two misses now
    // overlap (scale_classes under dept 7% faster, at 2,000 classes too).
    __builtin_prefetch(&m->sets[set].entries[0]);
    const uint64_t *keys = m->sets[set].keys;
    for (int w = 0; w < DEPT_ACQ_MORE_WAYS; w++)
        if (keys[w] == key) {
            // The entry's key is the one just compared.
            const struct dept_acq_entry *e = &m->sets[set].entries[w];
            uint64_t gen = dept_acq_gen(addr);
            if ((e->gen & ~(DEPT_ACQ_ATTEND | DEPT_ACQ_REASONS)) != gen || !dept_acq_room(t))
                return dept_acq_more_missed(t);
            *published = e->gen != gen;
            t->more_hits++;
            return e;
        }
    return dept_acq_more_missed(t);
}

/// Pushes a cached entry (the caller checked there is room) with the held
/// flags its key stands for.
static inline void dept_push_cached(struct dept_thread *t, uintptr_t addr, const struct dept_acq_entry *e,
                                    uint32_t objects, uint32_t flags, uintptr_t pc) {
    struct dept_held *h = &t->held[t->nheld];
    h->obj = addr;
    h->chain = e->chain;
    _Static_assert(__builtin_offsetof(struct dept_held, op) - __builtin_offsetof(struct dept_held, cls) == 14
                   && __builtin_offsetof(struct dept_acq_entry, op) - __builtin_offsetof(struct dept_acq_entry, cls) == 14,
                   "cls..op are copied as one block");
    __builtin_memcpy(&h->cls, &e->cls, 16);
    h->count = 1;
    h->flags = flags;
    h->objects = objects;
    h->site = pc;
    t->nheld++;
}
/// A known lock: the cached entry with the held flags its hit gets (0, or
/// a condvar check's: lock_published), and the wait's clock step.
static inline void dept_push_known(struct dept_thread *t, uintptr_t addr, const struct dept_acq_entry *e,
                                   uint32_t objects, uint32_t flags, uintptr_t pc) {
    dept_push_cached(t, addr, e, objects, flags, pc);
    dept_clock_waited(t, e->inst);
}
/// A known successful trylock (key with DEPT_OP_TRYLOCK): the entry its
/// slow path pushes, marked as a trylock's. No clock step: a trylock does
/// not wait, and its slow path records none either.
static inline void dept_push_known_try(struct dept_thread *t, uintptr_t addr, const struct dept_acq_entry *e,
                                       uint32_t objects, uintptr_t pc) {
    dept_push_cached(t, addr, e, objects, DEPT_HELD_TRY, pc);
}
/// What a hook pushed for addr just before taking it, for marking the thread
/// blocked: the innermost entry, unless pushing it failed (no memory), in
/// which case class, instance and stack are 0.
static inline struct dept_held dept_pushed_entry(struct dept_thread *t, uintptr_t addr) {
    uint32_t n = t->nheld;
    if (n && t->held[n - 1].obj == addr) return t->held[n - 1];
    return (struct dept_held){ .obj = addr };
}
/// Caches the entry just pushed (the top one) under key, computed before
/// the push, when pushing it again is all a later identical acquisition
/// needs: a plain blocking acquisition or a successful trylock, no
/// semaphore held, and no other held entry of the same class (whose
/// instance pairs the core must see each time). gen is dept_acq_gen of the
/// lock as read before its lookup.
DEPT_HIDDEN void dept_acq_remember(struct dept_thread *t, uint64_t key, uint64_t gen);

DEPT_HIDDEN void dept_held_remove(struct dept_thread *t, uint32_t i);
DEPT_HIDDEN void dept_event_site_slow(struct dept_thread *t, uint32_t cls, uint16_t op, uintptr_t pc);
DEPT_HIDDEN void dept_event_site_want(struct dept_thread *t);
/// Remembers, once per class, where events of cls happen (for [E] stacks):
/// the thread's memo of release sites answers nearly every call.
static inline void dept_event_site(struct dept_thread *t, uint32_t cls, uint16_t op, uintptr_t pc) {
    if (UNLIKELY(t->event_seen[cls & (DEPT_EVENT_SLOTS - 1)] != cls)) dept_event_site_slow(t, cls, op, pc);
}

/// The event of held entry i happened (its release): pop it, and remember
/// once per class where such events happen (for [E] stacks).
static inline void dept_release_at(struct dept_thread *t, uint32_t i, uint16_t op, uintptr_t pc) {
    struct dept_held *h = &t->held[i];
    if (UNLIKELY(h->count > 1)) { h->count--; return; }
    uint32_t cls = h->cls;
    if (LIKELY(i + 1 == t->nheld && !(h->flags & DEPT_HELD_CHECKED) && i >= t->takes_watch)) {
        t->nheld = i;
        if (UNLIKELY(h->flags & DEPT_HELD_COND_CHECK)) dept_cond_check_ended(t, cls, h->inst, h->site);
    } else {
        dept_held_remove(t, i);
    }
    dept_event_site(t, cls, op, pc);
}

/// The release of the innermost held entry when nothing else is to be done:
/// it is addr's, held once, not a semaphore, and its class's release site is
/// known. Pops it and returns true; false leaves everything to the full
/// path. No guard is taken: it reads and writes only this thread's record,
/// and a signal handler's hook in between leaves the top as it found it.
/// The end of a condvar check writes the thread's takes: the full path
/// records it (a call here would make every release save registers).
/// Locks of untracked code (dept_untracked_site) are
/// never pushed, so they always take the full path, which filters them.
///
/// Whether the site is known: the thread's memo of release sites first; it
/// is direct-mapped, so with thousands of classes it misses nearly always,
/// and then the process-wide mark answers as dept_event_site_slow would,
/// unless this thread wants to tell its own site (~cls in its memo). Asking
/// the mark here rather than in a second pass of a slow path cuts such a
/// release from 75 instructions to 50 (scale_classes), and the memo hit
/// pays nothing. Not marked unlikely: clang then splits the branch into a
/// function of its own, and the call makes every release save registers.
static inline __attribute__((always_inline)) bool dept_pop_top(uintptr_t addr) {
    struct dept_thread *t = dept_current();
    if (UNLIKELY(!t)) return false;
    uint32_t n = t->nheld;
    if (UNLIKELY(!n)) return false;
    struct dept_held *h = &t->held[n - 1];
    if (UNLIKELY(h->obj != addr || h->count != 1
                 || (h->flags & (DEPT_HELD_CHECKED | DEPT_HELD_OWNERDEAD | DEPT_HELD_COND_CHECK))
                 || n - 1 < t->takes_watch))
        return false;
    uint32_t seen = t->event_seen[h->cls & (DEPT_EVENT_SLOTS - 1)];
    if (seen != h->cls && (seen == ~h->cls || !dept_class_event_site_known(h->cls, DEPT_OP_UNLOCK)))
        return false;
    t->nheld = n - 1;
    return true;
}

// ---- blocked waits and the hang monitor (hang_monitor.c) ---------------

DEPT_HIDDEN uint64_t dept_coarse_now_ns(void);
// last_words.c: the dump of stuck threads when a timeout ends the process.
DEPT_HIDDEN void dept_last_words_exit(int status, const char *fn);
DEPT_HIDDEN void dept_last_words_after_fork_child(void);
DEPT_HIDDEN void dept_last_words_arm(bool on);
DEPT_HIDDEN bool dept_last_words_requested(void);
DEPT_HIDDEN void dept_last_words_serve(void);
DEPT_HIDDEN void dept_raise_default(int sig);
DEPT_HIDDEN void dept_monitor_kick(void);
/// The program made a thread: the hang monitor starts if it is not running.
DEPT_HIDDEN void dept_monitor_company(void);
extern _Atomic int dept_monitor_armed;
/// The thread is about to block in a wait on o.
/// `how`: DEPT_BLOCK_TIMED (can time out), DEPT_BLOCK_SHARED (another process
/// may end it): either way it cannot be proven stuck. DEPT_BLOCK_PI: the
/// object is a priority-inheritance futex whose word names its owner.
/// DEPT_BLOCK_SPINS: the thread runs while it waits (a spinlock, an
/// annotated primitive that may spin): the kernel cannot say it sleeps.
enum { DEPT_BLOCK_TIMED = 1, DEPT_BLOCK_SHARED = 2, DEPT_BLOCK_PI = 4, DEPT_BLOCK_SPINS = 8 };
static inline void dept_block_begin(struct dept_thread *t, uintptr_t obj, struct dept_obj_ref o, uint16_t op,
                                    uint16_t awaits, uint32_t stack, uint32_t timed) {
    t->blocked_obj = obj;
    t->blocked_cls = o.cls;
    t->blocked_inst = o.inst;
    t->blocked_stack = stack;
    t->blocked_op = op;
    t->blocked_awaits = awaits;
    t->blocked_timed = timed;
    atomic_store_explicit(&t->blocked_since, dept_coarse_now_ns() | 1, memory_order_release);
    if (UNLIKELY(!atomic_load_explicit(&dept_monitor_armed, memory_order_relaxed)) && dept_config.detect_hangs)
        dept_monitor_kick();
}
static inline void dept_block_end(struct dept_thread *t) {
    atomic_store_explicit(&t->blocked_since, 0, memory_order_relaxed);
}

// ---- real functions ----------------------------------------------------

DEPT_HIDDEN void *dept_real(const char *name, const char *version);
#define REAL(fn) real_##fn
#define DEFINE_REAL(ret, fn, ...) \
    static ret (*real_##fn)(__VA_ARGS__); \
    static inline void resolve_##fn(void) { if (UNLIKELY(!real_##fn)) real_##fn = (ret (*)(__VA_ARGS__))dept_real(#fn, 0); }

// glibc exports these under a private alias too: binding to them directly
// needs no dlsym, so they work even while dlsym itself is resolving.
extern int __pthread_mutex_lock(pthread_mutex_t *);
extern int __pthread_mutex_trylock(pthread_mutex_t *);
extern int __pthread_mutex_unlock(pthread_mutex_t *);
extern int __pthread_mutex_init(pthread_mutex_t *, const pthread_mutexattr_t *);
extern int __pthread_mutex_destroy(pthread_mutex_t *);
extern int __pthread_rwlock_rdlock(pthread_rwlock_t *);
extern int __pthread_rwlock_wrlock(pthread_rwlock_t *);
extern int __pthread_rwlock_tryrdlock(pthread_rwlock_t *);
extern int __pthread_rwlock_trywrlock(pthread_rwlock_t *);
extern int __pthread_rwlock_unlock(pthread_rwlock_t *);
extern int __pthread_rwlock_init(pthread_rwlock_t *, const pthread_rwlockattr_t *);
extern int __pthread_rwlock_destroy(pthread_rwlock_t *);

#define CALLER_PC() ((uintptr_t)__builtin_return_address(0))

#endif
