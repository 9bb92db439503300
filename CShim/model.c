// model.c - the DEPT model as the hooks use it: waits, event contexts and
// events, with a per-thread memo so a known situation never leaves the
// thread (no lock, no stack capture, no shared write).
#include "shim.h"
#include "clocks.h"
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define TAG_EVENT 0x4556454e00000000ull   // site of an event
#define TAG_EVENT_SITE 0x4553495445000000ull   // a class's first release site, told to the core
#define TAG_TRIGGER 0x5452494700000000ull      // a call site that signals, posts or writes an object of a class

struct dept_held *dept_held_find(struct dept_thread *t, uintptr_t addr) {
    for (uint32_t i = t->nheld; i-- > 0;)
        if (t->held[i].obj == addr) return &t->held[i];
    return 0;
}

// The stack this thread recorded for a memo key, or 0: its own memo, else
// its entry in the process-wide table. Entries there are per thread (the
// key mixed with the thread): the core keeps its observations per thread,
// so another thread's entry does not count, and a stack of another thread
// would name the wrong callers. (Shared entries made threads that go
// through the same situations evict each other's, and all of them went
// back to the core on every round.)
static inline uint64_t own_key(struct dept_thread *t, uint64_t key) { return dept_mix(key, t->tid); }

static uint32_t known_here(struct dept_thread *t, uint64_t key) {
    uint32_t s = dept_seen_get(t, key);
    if (LIKELY(s)) return s;
    uint32_t by = 0;
    s = dept_known_get(own_key(t, key), &by);
    if (s) dept_seen_put(t, key, s);
    return s;
}

static void remember_here(struct dept_thread *t, uint64_t key, uint32_t stack) {
    dept_seen_put(t, key, stack);
    dept_known_put(own_key(t, key), stack, t->tid);
}

uint32_t dept_site_stack(struct dept_thread *t, uint32_t cls, uint16_t op, uintptr_t pc) {
    uint64_t key = dept_site_key(cls, op, pc);
    uint32_t s = known_here(t, key);
    if (LIKELY(s)) return s;
    s = dept_capture_stack();
    remember_here(t, key, s);
    return s;
}

// The core's cycle search goes as deep as the longest cycle it looks for,
// some 20 KiB of stack at the most: a thread whose stack has less left
// than this (the D runtime's collector threads run on 16 KiB; a handler
// on an alternate signal stack) does not enter it, and what it would have
// told the core is counted instead (stats=1). Before, such a thread
// overflowed its stack inside the search.
#define DEPT_CORE_STACK (64u << 10)
static _Atomic uint64_t short_stack_skips;
uint64_t dept_short_stack_skips(void) { return atomic_load_explicit(&short_stack_skips, memory_order_relaxed); }
static bool core_room(struct dept_thread *t) {
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t floor = dept_stack_floor(t, here);
    if (LIKELY(!floor)) return true;
    // Compared so that a frame already below the floor (dept's own frames
    // on top of the program's) is no room, not a wrapped-around lot of it.
    if (here > floor && here - floor >= DEPT_CORE_STACK) return true;
    atomic_fetch_add_explicit(&short_stack_skips, 1, memory_order_relaxed);
    return false;
}

// A thread's tentative waits: in its record, or in the memory it grew into.
static struct dept_tentative *tentatives(struct dept_thread *t) {
    return t->tentative ? t->tentative : t->tentative_inline;
}

// Waits under a semaphore that found the buffer at DEPT_TENTATIVE_MAX:
// counted, not silently lost (the `stats=1` lines print it).
static _Atomic uint64_t tentative_dropped;
uint64_t dept_tentative_dropped(void) { return atomic_load_explicit(&tentative_dropped, memory_order_relaxed); }

// A slot for one more tentative wait, or NULL once DEPT_TENTATIVE_MAX are
// kept (or memory ran out). A binary semaphore used as a lock around more
// than a handful of locks (a big lock around a table's rows) made its
// first sixteen waits only: the wait that closed an inversion with the
// semaphore came later and was lost (Examples/sem_lock_many_waits).
static struct dept_tentative *tentative_slot(struct dept_thread *t) {
    uint32_t cap = t->tentative ? t->tentative_cap : DEPT_TENTATIVE;
    if (t->ntentative == cap) {
        if (cap >= DEPT_TENTATIVE_MAX) return 0;
        uint32_t ncap = cap * 2;
        struct dept_tentative *n = mmap(0, ncap * sizeof *n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (n == MAP_FAILED) return 0;
        memcpy(n, tentatives(t), t->ntentative * sizeof *n);
        // Only this thread reads its tentative waits: the old array can go.
        if (t->tentative) munmap(t->tentative, t->tentative_cap * sizeof *n);
        t->tentative = n;
        t->tentative_cap = ncap;
    }
    return &tentatives(t)[t->ntentative++];
}

// Whether the thread keeps the tentative wait key under the semaphore
// instance inst already. Asked for every wait under a held semaphore, and
// a hold can gather hundreds: PyPy's Python locks are semaphores, and a
// scan of 932 kept waits for each of 15 million waits was 29% of a run.
// hint (if any) remembers where the pair was last found (settling moves
// entries: it is checked, never trusted).
static bool tentative_kept(struct dept_thread *t, uint64_t key, uint32_t inst, uint16_t *hint) {
    struct dept_tentative *kept = tentatives(t);
    uint32_t i = hint ? *hint : 0;
    if (i && i <= t->ntentative && kept[i - 1].key == key && kept[i - 1].from.inst == inst) return true;
    for (uint32_t k = 0; k < t->ntentative; k++)
        if (kept[k].key == key && kept[k].from.inst == inst) {
            if (hint) *hint = (uint16_t)(k + 1);
            return true;
        }
    return false;
}

// Waits under a semaphore that the core was told of once that semaphore
// proved a lock, by their key (told_key): the wait's key (what else is
// held, where) and the semaphore's class, its instance too when it is the
// awaited class, whose instance pairs the core keeps. Such a wait made
// again under a later hold is not kept, and not told again, as a known
// situation under a lock is not (the thread's memo of those, 512 slots
// mapped by hash, kept fewer than half of 200 such waits). Without it a
// hold of a semaphore around 200 locks told the core 200 dependencies at
// each post, each with its cycle search. A set of its own, exact, emptied
// when three quarters full.
static uint64_t told_key(uint64_t key, const struct dept_held *sem, uint32_t awaited) {
    key = dept_mix(key, 0x544f4c4400000000ull ^ sem->cls);
    key = sem->cls == awaited ? dept_mix(key, sem->inst) : key;
    return key ? key : 1;
}

// The thread's memory of waits under semaphores, made at its first such
// wait (NULL if memory ran out: then nothing is remembered).
static struct dept_sem_memory *sem_memory(struct dept_thread *t) {
    if (!t->sem_memory) {
        void *m = mmap(0, sizeof *t->sem_memory, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m != MAP_FAILED) t->sem_memory = m;
    }
    return t->sem_memory;
}

static bool told_has(const struct dept_thread *t, uint64_t key) {
    const struct dept_sem_memory *m = t->sem_memory;
    if (!m) return false;
    for (uint32_t i = (uint32_t)(key >> 32) % DEPT_SEM_TOLD;; i = (i + 1) % DEPT_SEM_TOLD) {
        if (m->told[i] == key) return true;
        if (!m->told[i]) return false;
    }
}

static void told_put(struct dept_thread *t, uint64_t key) {
    struct dept_sem_memory *m = sem_memory(t);
    if (!m) return;
    if (m->ntold >= DEPT_SEM_TOLD / 4 * 3) {
        memset(m->told, 0, sizeof m->told);
        m->ntold = 0;
    }
    for (uint32_t i = (uint32_t)(key >> 32) % DEPT_SEM_TOLD;; i = (i + 1) % DEPT_SEM_TOLD) {
        if (m->told[i] == key) return;
        if (!m->told[i]) {
            m->told[i] = key;
            m->ntold++;
            return;
        }
    }
}

// Rare path: the thread holds binary semaphores. Dependencies from the
// other contexts go to the core now; those from a semaphore wait in the
// tentative buffer until we know whether the semaphore is used as a lock.
static uint32_t wait_with_semaphores(struct dept_thread *t, struct dept_obj_ref o, uint16_t awaits,
                                     uint16_t op, uint32_t flags, uintptr_t pc) {
    uint32_t n = t->nheld;
    uint64_t key = dept_mix(dept_class_key(0x53454d4100000000ull, o.cls), awaits);
    key = dept_mix_pc(key, pc);
    uint32_t woke = dept_woke_for(t, op);
    if (woke) key = dept_mix(key, woke);
    for (uint32_t i = 0; i < n; i++) {
        struct dept_held *h = &t->held[i];
        if (h->flags & DEPT_HELD_SEM) continue;
        key = dept_mix(key, ((uint64_t)h->cls << 16) | h->mode);
        if (h->cls == o.cls) key = dept_mix(dept_mix(key, h->inst), o.inst);
    }
    uint32_t s = dept_seen_get(t, key);
    bool known = s != 0, settled = true;
    if (!known) s = dept_capture_stack();
    struct dept_wait w = { o.cls, o.inst, s, awaits, op, flags, t->wait_check, woke, o.addr, 0 };
    for (uint32_t i = 0; i < n; i++) {
        struct dept_held *h = &t->held[i];
        if (h->flags & DEPT_HELD_THREAD) continue;
        if (!known && !(h->flags & DEPT_HELD_SEM)) {
            uint32_t gates[DEPT_TENTATIVE_GATES], ng = 0;
            for (uint32_t j = 0; j < n && ng < DEPT_TENTATIVE_GATES; j++)
                if (j != i && !(t->held[j].flags & DEPT_HELD_THREAD)) gates[ng++] = t->held[j].inst;
            if (!core_room(t)) { settled = false; continue; }
            dept_core_lock();
            dept_core_dependency(t->tid, h, &w, gates, ng);
            dept_core_unlock();
        } else if (h->flags & DEPT_HELD_SEM) {
            // Told to the core when an earlier hold proved the semaphore a
            // lock (dept_tentative_settle): nothing to keep.
            if (told_has(t, told_key(key, h, o.cls))) continue;
            settled = false;
            // The same wait again under the same hold (a loop over a lock)
            // adds nothing the post would not confirm anyway.
            struct dept_sem_memory *m = sem_memory(t);
            uint16_t *hint = m ? &m->hint[dept_mix(key, h->inst) % DEPT_TENTATIVE_MAX] : 0;
            if (tentative_kept(t, key, h->inst, hint)) continue;
            struct dept_tentative *r = tentative_slot(t);
            if (!r) {
                atomic_fetch_add_explicit(&tentative_dropped, 1, memory_order_relaxed);
                continue;
            }
            if (hint) *hint = (uint16_t)t->ntentative;
            r->from = *h;
            r->wait = w;
            r->key = key;
            r->ngates = 0;
            for (uint32_t j = 0; j < n && r->ngates < DEPT_TENTATIVE_GATES; j++)
                if (j != i && !(t->held[j].flags & DEPT_HELD_THREAD)) r->gates[r->ngates++] = t->held[j].inst;
        }
    }
    if (!known) { dept_seen_put(t, key, s); dept_event_site_want(t); }
    t->sem_wait_settled = settled ? o.inst : 0;
    return s;
}

// Entries of other semaphores keep their place until one before them
// goes: a settle that removes nothing copies nothing (PyPy settled 180,000
// holds of its Python locks over some 900 waits kept under another one,
// and copying them in place was 9% of a run).
void dept_tentative_settle(struct dept_thread *t, uint32_t inst, bool confirm) {
    uint32_t k = 0;
    struct dept_tentative *kept = tentatives(t);
    for (uint32_t i = 0; i < t->ntentative; i++) {
        struct dept_tentative *r = &kept[i];
        if (r->from.inst != inst) {
            if (k != i) kept[k] = *r;
            k++;
            continue;
        }
        uint64_t told = told_key(r->key, &r->from, r->wait.cls);
        if (confirm && !told_has(t, told) && core_room(t)) {
            dept_core_lock();
            dept_core_dependency(t->tid, &r->from, &r->wait, r->gates, r->ngates);
            dept_core_unlock();
            told_put(t, told);
        }
    }
    t->ntentative = k;
}

// A pthread mutex whose entry the thread pushed but which it does not own
// yet: a signal handler ran between the hook's push and the real
// acquisition, or while the thread was blocked in it (TSan's
// signal_in_mutex_lock: the handler signals a condvar whose waiter holds
// that mutex; or it takes a lock of its own, which is then not after that
// mutex). glibc records its owner's kernel tid in every mutex it hands
// out, elided ones excepted, so the mutex itself says whether the entry is
// held yet. Asked only while an acquisition of the thread is under way
// (t->acquiring): otherwise every entry is owned, and a program's mutex
// memory is never read (it may be gone, freed while still locked). A
// trylock's entry is pushed once it succeeded; other kinds of lock have no
// such field.
#define MUTEX_KIND_ELISION 256
static bool not_owned_yet(const struct dept_thread *t, const struct dept_held *h) {
    if ((h->op != DEPT_OP_LOCK && h->op != DEPT_OP_TIMEDLOCK) || (h->flags & DEPT_HELD_CHECKED)
        || !dept_class_pthread_mutex(h->cls))
        return false;
    const pthread_mutex_t *m = (const pthread_mutex_t *)h->obj;
    if (__atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) & MUTEX_KIND_ELISION) return false;
    return __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED) != t->os_tid;
}

// The dependency rule for locks (DESIGN §2): every context the thread is in
// (every held lock) cannot reach its event until this wait is satisfied, so
// each held event depends on the awaited one. The memo key covers the whole
// held chain plus the wait: a hit means the core already knows all of it.
// Same-class nesting also mixes in the instances, because the core needs
// instance pairs to tell hand-over-hand from a real inversion.
// Waits for an event that is not a lock release: the requests of R2.4.
static bool is_request(uint16_t op) {
    return op == DEPT_OP_COND_WAIT || op == DEPT_OP_SEM_WAIT || op == DEPT_OP_EVENTFD_READ || op == DEPT_OP_JOIN;
}

// Which of the thread's first n held entries are of mutexes it is still
// acquiring (a signal handler's hook runs between the push and the real
// acquisition): a bit each. Beyond 64 held, none are told apart.
static uint64_t pending_held(const struct dept_thread *t, uint32_t n) {
    uint64_t pending = 0;
    for (uint32_t i = 0; UNLIKELY(t->acquiring) && i < n && n <= 64; i++)
        if (not_owned_yet(t, &t->held[i])) pending |= 1ull << i;
    return pending;
}

// The thread's first *n held entries without the pending ones: the entries
// themselves, or a copy into buf (64 entries), *n then its count.
static const struct dept_held *settled_held(const struct dept_thread *t, uint64_t pending, uint32_t *n,
                                            struct dept_held *buf) {
    if (LIKELY(!pending)) return t->held;
    uint32_t k = 0;
    for (uint32_t i = 0; i < *n; i++)
        if (!(pending >> i & 1)) buf[k++] = t->held[i];
    *n = k;
    return buf;
}

// Tells the core a new wait under held locks. Its own frame, because of
// its buffers (some 7 KiB of clocks and held entries): the stack capture
// before it, dept's deepest path on a thread's first waits, then runs
// without them below it. A thread made with 16 KiB of stack (the D
// runtime's collector threads) overflowed in that capture.
static __attribute__((noinline)) void tell_core_wait(struct dept_thread *t, uint32_t n, struct dept_wait *w) {
    uint32_t vc[1024], nvc = 0;
    if (is_request(w->op)) {
        nvc = dept_clock_request(t, vc, 1024);
        // Taken before the wait's own history stamp: a little early, which
        // only makes "valid since" keep more (CycleRules).
        w->started = dept_wait_clock_tick();
    }
    // A signal handler's lock while its thread is still acquiring a mutex:
    // the thread does not hold that one yet, so the wait is not after it.
    struct dept_held owned[64];
    const struct dept_held *held = settled_held(t, pending_held(t, n), &n, owned);
    if (n) {
        dept_core_lock();
        dept_core_wait(t->tid, held, n, w, vc, nvc);
        dept_core_unlock();
    }
}

uint32_t dept_wait_begin(struct dept_thread *t, struct dept_obj_ref o, uint16_t awaits,
                         uint16_t op, uint32_t flags, uintptr_t pc) {
    dept_clock_waited(t, o.inst);
    if (UNLIKELY(t->sems_held)) dept_held_validate(t);
    uint32_t n = t->nheld;
    if (n == 0 || !dept_config.detect_potential)
        return dept_site_stack(t, o.cls, op, pc);
    if (UNLIKELY(t->sems_held)) return wait_with_semaphores(t, o, awaits, op, flags, pc);
    // A timed wait is told too: a cycle through it is information (R2.7).
    // An untimed one keeps the key dept_wait_begin_fast looks up (mixing in
    // a zero changed it, and no wait under a held lock ever hit there).
    uint64_t base = dept_wait_base_key(t, o, awaits, pc), key = dept_wait_key(t, o, awaits, pc);
    if (flags & DEPT_WAIT_TIMED) {
        base = dept_mix(base, 0x54494d4544ull);
        key = dept_mix(key, 0x54494d4544ull);
    }
    // Each join waits for one thread: its request (with what the joiner
    // knows of that thread) is new for every thread joined.
    if (op == DEPT_OP_JOIN) key = dept_mix(key, o.inst);
    // A wait made after waking a thread is another situation (the woke rule).
    uint32_t woke = dept_woke_for(t, op);
    if (woke) {
        base = dept_mix(base, woke);
        key = dept_mix(key, woke);
    }
    uint32_t s = known_here(t, key);
    if (LIKELY(s)) return s;
    // A new instance pair in a situation this thread already told the core:
    // that situation's stack serves (same site, same held classes), so
    // nesting over thousands of instances captures no stack per pair.
    if (key != base) s = known_here(t, base);
    if (!s) s = dept_capture_stack();
    struct dept_wait w = { o.cls, o.inst, s, awaits, op, flags, t->wait_check, woke, o.addr, 0 };
    // Asked here, before the buffers are on the stack: they alone are
    // half of a 16 KiB thread's stack.
    if (core_room(t)) tell_core_wait(t, n, &w);
    remember_here(t, key, s);
    dept_event_site_want(t);
    return s;
}

// This thread just became a witness of dependencies from every context it
// holds: a report may show each as a context of this thread, whose [E]
// should be this thread's own release. Marks their classes so that the
// next release of each tells the core where it happens (~cls cannot be a
// class of that slot: the slot index is cls's low bits).
void dept_event_site_want(struct dept_thread *t) {
    for (uint32_t i = 0; i < t->nheld; i++) {
        uint32_t c = t->held[i].cls;
        if (!(t->held[i].flags & DEPT_HELD_THREAD)) t->event_seen[c & (DEPT_EVENT_SLOTS - 1)] = ~c;
    }
}

void dept_ecxt_enter(struct dept_thread *t, uintptr_t addr, struct dept_obj_ref o,
                     uint16_t mode, uint16_t op, uint32_t flags, uint32_t stack, uintptr_t pc) {
    if (!stack) stack = dept_site_stack(t, o.cls, op, pc);
    dept_push_fast(t, addr, o, mode, op, flags, stack, pc);
}

// A thread that has filled DEPT_MORE_DENSE entries of its second level gets
// the level collapsed into a transparent huge page: sets are placed by lock
// address, so a thread that cycles through thousands of locks touches
// hundreds of the level's 4 KiB pages in turn, and on a virtual machine
// each TLB miss is a walk of two page tables. scale_classes (10k locks, 600
// pages of sets) took 312 -> 289 ms of CPU (task-clock, medians of 21
// alternating runs, plain 95); scale_hold, whose 1000 locks lie in 50 pages
// of sets, is unchanged. The collapse itself takes 0.2-0.6 ms here, once
// per thread. Only such a thread: a huge page is 2 MiB resident at once,
// and a server's hundreds of threads that each use the level for a
// hundred locks would pay that many times over. The level is mapped on a
// 2 MiB boundary, which kernels before 6.7 do not give large anonymous
// mappings by themselves; a kernel without MADV_COLLAPSE (before 6.1) gets
// MADV_HUGEPAGE, for khugepaged to collapse the level later.
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define MORE_ALIGN (2u << 20)
#define DEPT_MORE_DENSE 4096
static struct dept_acq_more *map_more(void) {
    size_t size = sizeof(struct dept_acq_more), span = size + MORE_ALIGN;
    int e = errno;
    char *p = mmap(0, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    char *at = 0;
    if (p != MAP_FAILED) {
        at = (char *)(((uintptr_t)p + MORE_ALIGN - 1) & ~(uintptr_t)(MORE_ALIGN - 1));
        if (at > p) munmap(p, (size_t)(at - p));
        size_t tail = (size_t)(p + span - (at + size));
        if (tail) munmap(at + size, tail);
    }
    errno = e;
    return (struct dept_acq_more *)at;
}

static void more_dense(struct dept_acq_more *m) {
    int e = errno;
    if (madvise(m, sizeof *m, MADV_COLLAPSE) != 0) madvise(m, sizeof *m, MADV_HUGEPAGE);
    errno = e;
}

// The first level is 64 slots so that a probe stays one cache line away;
// a thread that takes thousands of distinct (lock, held chain) situations in
// turn (10k lock classes in a chain, 1000 locks held at once) evicts every
// entry before it comes back to it. Entries it evicts go to a second level
// of 64k, mapped only for such a thread (2.5 MiB of address space, see
// map_more), so its acquisitions stay off the slow path.
// 4096 sets of 8 (32k entries) overflowed: scale_classes' 20k situations,
// two per lock, sets chosen by address, kept 3% of its acquisitions on the
// slow path round after round.
// Its placement and probe are in shim.h (dept_acq_probe_more).
//
// It is not filled while it rests: a thread whose situations never repeat
// (scale_same_class) paid a cache miss per slow path for that, 20% of its
// run. It rests only once it is half full (DEPT_MORE_FULL in shim.h), so a
// thread that repeats its situations in long cycles keeps the first one
// whole.
static void spill(struct dept_thread *t, const struct dept_acq *a) {
    if (t->more_off) return;
    if (!t->more_on) {
        // Not mapped yet, or a recycled record's, whose thread starts over.
        if (++t->acq_misses < DEPT_ACQ_MORE_AFTER) return;
        if (!t->acq_more) {
            t->acq_more = map_more();
            if (!t->acq_more) { t->acq_misses = 0; return; }
        }
        t->more_on = t->acq_more;
    }
    if (a->objects) return;
    // The key's own way, else a free one, else one chosen by other key bits.
    uint64_t *keys = t->acq_more->sets[a->near].keys;
    int to = -1;
    for (int w = 0; w < DEPT_ACQ_MORE_WAYS && to < 0; w++)
        if (keys[w] == a->key || !keys[w]) to = w;
    if (to < 0) to = (int)(a->key >> 40) & (DEPT_ACQ_MORE_WAYS - 1);
    else if (!keys[to] && ++t->more_used == DEPT_MORE_DENSE) more_dense(t->acq_more);
    keys[to] = a->key;
    t->acq_more->sets[a->near].entries[to] = a->e;
}

void dept_acq_remember(struct dept_thread *t, uint64_t key, uint64_t gen) {
    uint32_t n = t->nheld;
    if (!n || !dept_config.detect_potential) return;
    const struct dept_held *h = &t->held[n - 1];
    // Under a held semaphore, a wait is cached only once it is settled:
    // what it would tell the core was told, by this hold or by an earlier
    // one of the semaphore's class proven a lock, so a hit that skips it
    // (and the validation of the holds) loses nothing. PyPy's Python locks
    // are semaphores held around the interpreter's mutexes: every such
    // acquisition took the slow path, sem_lock 9x plain. A trylock waits
    // for nothing and tells nothing.
    if (t->sems_held && !(h->flags & DEPT_HELD_TRY) && t->sem_wait_settled != h->inst) return;
    // A trylock's entry differs only by its flag, which its key's operation
    // stands for (dept_push_known_try).
    // A check of a condvar's predicate is cached too, marked (lock_published).
    if ((h->flags & ~(DEPT_HELD_TRY | DEPT_HELD_COND_CHECK)) || h->count != 1) return;
    // Nested in its own class, a lock is a new instance pair unless the key
    // names the held objects: it does for per-object classes
    // (dept_acq_key), so a static array of locks nested in order is cached.
    // A trylock waits for nothing, so it makes no pair: its entry is the
    // same whichever instance of its class is held below it (`trylock`, a
    // lock of one mutex of an array and a trylock of the next, took the
    // whole uncached path for three trylocks in four).
    if (!(h->flags & DEPT_HELD_TRY) && dept_class_index(t, h->cls, n - 1) < n - 1 && !dept_class_per_object(h->cls))
        return;
    // Its acquisitions must learn the clock published into it (clocks.h):
    // the entry says so, and the hook joins the clock after the take.
    if (dept_clock_is_published(h->cls, h->inst)) gen |= DEPT_ACQ_ATTEND | DEPT_ACQ_CLOCK;
    if (h->flags & DEPT_HELD_COND_CHECK) gen |= DEPT_ACQ_ATTEND | DEPT_ACQ_COND_CHECK;
    struct dept_acq *a = &t->acq[key >> 58];
    if (a->key && a->key != key) spill(t, a);
    a->key = key;
    a->e = (struct dept_acq_entry){
        .gen = gen, .chain = h->chain, .cls = h->cls, .inst = h->inst, .stack = h->stack, .mode = h->mode, .op = h->op };
    a->objects = h->objects;
    a->near = dept_acq_near(h->obj);
}

#define remove_at dept_held_remove
void dept_held_remove(struct dept_thread *t, uint32_t i) {
    if (UNLIKELY(i < t->takes_watch)) dept_takes_left(t, i);
    // The end of a check of a condvar's predicate (cond_checks.c): taken
    // inside every context still held after it.
    bool check = t->held[i].flags & DEPT_HELD_COND_CHECK;
    uint32_t check_cls = t->held[i].cls, check_inst = t->held[i].inst;
    uintptr_t check_site = t->held[i].site;
    uint32_t n = t->nheld;
    if (t->held[i].flags & DEPT_HELD_CHECKED) t->sems_held--;
    if (i + 1 < n) {
        uint32_t gone = t->held[i].objects - (i ? t->held[i - 1].objects : 0);
        memmove(&t->held[i], &t->held[i + 1], (n - i - 1) * sizeof t->held[0]);
        // The chains and counts above the removed entry no longer include it.
        uint64_t prev = i ? t->held[i - 1].chain : DEPT_CHAIN_SEED;
        uint32_t below = i ? t->held[i - 1].objects : 0;
        for (uint32_t j = i; j < n - 1; j++) {
            struct dept_held *h = &t->held[j];
            bool per_object = h->objects - gone > below;
            h->objects -= gone;
            below = h->objects;
            h->chain = dept_held_chain(prev, h->cls, h->mode, h->obj, per_object);
            prev = h->chain;
        }
    }
    t->nheld = n - 1;
    if (UNLIKELY(check)) dept_cond_check_ended(t, check_cls, check_inst, check_site);
}

bool dept_ecxt_exit(struct dept_thread *t, uintptr_t addr, uint16_t op, uintptr_t pc) {
    int32_t i = dept_held_index(t, addr);
    if (i < 0) return false;
    dept_release_at(t, (uint32_t)i, op, pc);
    return true;
}

// First release of a class seen by this thread: remember where it happens,
// so a report can show the [E] stack. The core keeps the first site per
// class, so once any thread has told it, nobody needs to again, except a
// thread that witnessed a dependency from the class (dept_event_site_want):
// its own release is the [E] of its context.
void dept_event_site_slow(struct dept_thread *t, uint32_t cls, uint16_t op, uintptr_t pc) {
    (void)pc;
    uint32_t *slot = &t->event_seen[cls & (DEPT_EVENT_SLOTS - 1)];
    bool wanted = *slot == ~cls;
    *slot = cls;
    if (!wanted && dept_class_event_site_known(cls, op)) return;
    uint64_t key = dept_mix(dept_class_key(TAG_EVENT_SITE, cls), op);
    uint64_t mine = dept_mix(key, t->tid);
    uint32_t by;
    if (dept_known_get(mine, &by)) return;
    if (!wanted && dept_known_get(key, &by)) { dept_class_mark_event_site(cls, op); return; }
    uint32_t s = dept_capture_stack();
    dept_core_lock();
    dept_core_event_site(t->tid, cls, op, s);
    dept_core_unlock();
    dept_known_put(key, s, t->tid);
    dept_known_put(mine, s, t->tid);
    dept_class_mark_event_site(cls, op);
}

void dept_drop_held(struct dept_thread *t, uintptr_t addr) {
    uint32_t i = t->nheld;
    while (i-- > 0)
        if (t->held[i].obj == addr) { remove_at(t, i); return; }
}

void dept_warn(uint32_t kind, struct dept_thread *t, uint32_t cls, bool with_stack) {
    uint32_t s = with_stack ? dept_capture_stack() : 0;
    dept_core_lock();
    dept_core_warning(kind, t ? t->tid : 0, cls, s);
    dept_core_unlock();
}

// ---- waits and events beyond locks ------------------------------------

static struct dept_hist *hist_push_at(struct dept_thread *t, struct dept_obj_ref o, uint32_t stack, uint16_t awaits,
                                      uint16_t op, uint64_t ts) {
    dept_waited_for_event(t, o.cls);
    struct dept_hist *h = &t->hist[t->nhist++ % DEPT_HISTORY];
    *h = (struct dept_hist){ ts, o.cls, o.inst, stack, awaits, op, { 0, 0 }, { { 0, 0 }, { 0, 0 } }, 0, t->nheld,
                             dept_clock_now(t), 0 };
    return h;
}

uint64_t dept_hist_push(struct dept_thread *t, struct dept_obj_ref o, uint32_t stack, uint16_t awaits, uint16_t op) {
    uint64_t ts = dept_wait_clock_tick();
    hist_push_at(t, o, stack, awaits, op, ts);
    return ts;
}

// What the joiner knew when it asked for the join, kept for the events
// that depend on the join through its history: a thread joined after the
// events that ended its waits happened (the joiner learned of them through
// other hard edges) was not waiting behind the join (CycleRules, R2.4).
// Bounded: after the first few thousand joins, only the joiner's own time
// is kept (which makes happens-before weaker, never wrong).
#define JOIN_CLOCKS_KEPT 4096
static _Atomic uint32_t join_clocks;

// Its own frame, entered only with room for it (tell_core_wait says why).
static __attribute__((noinline)) void keep_join_request(struct dept_thread *t) {
    uint32_t vc[1024];
    uint32_t n = dept_clock_request(t, vc, 1024);
    if (!n) return;
    atomic_fetch_add_explicit(&join_clocks, 1, memory_order_relaxed);
    dept_core_lock();
    t->hist[(t->nhist - 1) % DEPT_HISTORY].request = dept_core_intern_clock(vc, n);
    dept_core_unlock();
}

void dept_hist_push_join(struct dept_thread *t, struct dept_obj_ref o, uint32_t stack) {
    dept_hist_push(t, o, stack, DEPT_EV_EXCL, DEPT_OP_JOIN);
    if (atomic_load_explicit(&join_clocks, memory_order_relaxed) >= JOIN_CLOCKS_KEPT) return;
    if (core_room(t)) keep_join_request(t);
}

void dept_held_validate(struct dept_thread *t) {
    for (uint32_t i = t->nheld; i-- > 0;) {
        struct dept_held *h = &t->held[i];
        if (h->flags & DEPT_HELD_FUTEX) {
            if (dept_futex_hold_lost(t, h)) remove_at(t, i);
            continue;
        }
        if (!(h->flags & DEPT_HELD_SEM)) continue;
        struct dept_sync *s = dept_sync_get(h->inst);
        if (s && atomic_load(&s->hold_gen) != h->gen) {
            // Another thread posted it on our behalf: the hold is over, and
            // what we waited for meanwhile was not under a lock.
            dept_tentative_settle(t, h->inst, false);
            remove_at(t, i);
        }
    }
}

// Every call site that triggers events of a class, once (process-wide): a
// waiter of an object that several sites signal can be woken by any of them
// (OR-waits, CycleRules).
static void trigger_site(struct dept_thread *t, uint32_t cls, uintptr_t pc) {
    uint64_t key = dept_mix_pc(dept_class_key(TAG_TRIGGER, cls), pc);
    if (dept_seen_get(t, key)) return;
    uint32_t by;
    if (!dept_known_get(key, &by)) {
        dept_core_lock();
        dept_core_trigger_site(cls, pc);
        dept_core_unlock();
        dept_known_put(key, 1, t->tid);
    }
    dept_seen_put(t, key, 1);
}

// A hard release (clocks.h): a signal, post or write while threads wait on
// the object passes the thread's clock to them; a condvar signalled while
// the thread holds mutexes publishes its clock into them, for waiters that
// will find their predicate true without blocking.
static void release_clock(struct dept_thread *t, struct dept_sync *sy, bool waiters, uint16_t op) {
    bool published = false;
    if (op == DEPT_OP_COND_SIGNAL || op == DEPT_OP_COND_BROADCAST) {
        for (uint32_t i = 0; i < t->nheld; i++) {
            const struct dept_held *h = &t->held[i];
            if (h->flags & (DEPT_HELD_THREAD | DEPT_HELD_SEM)) continue;
            struct dept_sync *m = dept_sync_get(h->inst);
            if (m) { dept_clock_publish(m, h->cls, t); published = true; }
        }
    }
    if (sy && waiters) dept_clock_release_episode(sy, t);   // ticks
    else if (sy && op == DEPT_OP_SEM_POST) dept_clock_note_post(sy, t);   // ticks
    else if (published) dept_clock_tick(t);
}

// An untimed wait on a condvar, semaphore or eventfd starts: it joins the
// object's waiting episode (and, unless `history` is false, the thread's
// history of non-lock waits, for the events the thread triggers later).
struct dept_sync_wait dept_sync_wait_enter(struct dept_thread *t, struct dept_obj_ref o, struct dept_sync *sy,
                                           uint32_t stack, uint16_t op, bool history) {
    struct dept_sync_wait w = { sy, UINT32_MAX, 0, o.inst, 0 };
    uint64_t ts;
    if (history) {
        w.hist = t->nhist;
        ts = dept_hist_push(t, o, stack, DEPT_EV_EXCL, op);
    } else {
        ts = dept_wait_clock_tick();
    }
    w.seq = dept_sync_wait_begin(w.sync, ts);
    return w;
}

// ... and returned: the thread learns the clocks released to it meanwhile,
// and its history entry says when it returned and what may have ended it.
void dept_sync_wait_leave(struct dept_thread *t, struct dept_sync_wait *w) {
    // Gone, or given to another object while this thread waited (its object
    // was destroyed under it): nothing of it is this wait's.
    if (!w->sync || w->sync->inst != w->inst) return;
    // Before leaving the episode: the last waiter to leave ends it.
    struct dept_epoch sat[DEPT_SAT_MAX] = { { 0, 0 } };
    uint32_t nsat = 0;
    dept_clock_acquire_episode(w->sync, t, w->seq, w->ready, sat, &nsat);
    dept_sync_wait_end(w->sync, w->inst);
    if (w->hist != UINT32_MAX && t->nhist - w->hist <= DEPT_HISTORY) {
        struct dept_hist *h = &t->hist[w->hist % DEPT_HISTORY];
        h->returned = dept_clock_now(t);
        h->nsat = nsat;
        // The whole array, whose size is known (nsat says what of it is
        // meant): a copy of nsat entries was a call to memcpy.
        __builtin_memcpy(h->sat, sat, sizeof sat);
    }
}

// A wait that found a token and took it without blocking: it joins no
// waiting episode (no post could have been waiting for it to sleep, so
// none is told it is awaited), but it is history all the same, ended by
// the posts that left the tokens it found. Its stamp reads the wait clock
// without moving it: every wait that began before it got a tick below the
// value read and every wait that begins after it gets one at or above it,
// and a tie counts it as the earlier (h->ts <= window; valid since), which
// it was. The tick was a line every consumer of a work queue wrote.
void dept_sync_wait_found(struct dept_thread *t, struct dept_obj_ref o, struct dept_sync *sy, uint32_t stack,
                          uint16_t op, uint32_t ready) {
    struct dept_hist *h = hist_push_at(t, o, stack, DEPT_EV_EXCL, op, dept_wait_clock_read());
    h->returned = dept_clock_now(t);
    dept_clock_found_tokens(sy, ready, h->sat, &h->nsat);
}

// Whether the thread fired an event of obj on its way into held[i]: with
// held[i] not yet taken, the contexts below it as they are now (plus up to
// three more, released since: the mutex a condvar is signalled under and
// the locks around it, as CPython's take_gil holds two), and no non-lock
// wait between then and taking held[i] but held[i]'s own acquisition (a
// binary semaphore taken like a lock waits in the history; a mutex does
// not): each other wait since was made inside it. The core decides what
// that means (EventRules, rule 1).
static bool announced(const struct dept_thread *t, uint32_t i, uintptr_t obj) {
    uint64_t below = i ? t->held[i - 1].chain : DEPT_CHAIN_SEED;
    uint32_t own = t->held[i].inst;
    uint32_t n = t->nannounce < DEPT_ANNOUNCE ? t->nannounce : DEPT_ANNOUNCE;
    for (uint32_t k = 0; k < n; k++) {
        const struct dept_announce *a = &t->announce[(t->nannounce - 1 - k) % DEPT_ANNOUNCE];
        if (a->obj != obj || t->nhist - a->nhist > DEPT_HISTORY) continue;
        // Its chain at depth i: the contexts below held[i] then.
        if (a->nheld < i || (i && a->nheld - i >= DEPT_ANNOUNCE_DEPTH)) continue;
        if ((i ? a->chains[a->nheld - i] : DEPT_CHAIN_SEED) != below) continue;
        uint32_t j = a->nhist;
        while (j != t->nhist && (t->hist[j % DEPT_HISTORY].nheld > i || t->hist[j % DEPT_HISTORY].inst == own)) j++;
        if (j == t->nhist) return true;
        // The wait at j came after every older announce too (the ring is
        // in history order), so none of them can pass: a condvar signalled
        // each round walked the same waits once per announce.
        break;
    }
    return false;
}

static void unmark(struct dept_thread *t, uint64_t marked) {
    for (; marked; marked &= marked - 1) t->held[__builtin_ctzll(marked)].flags &= ~(uint32_t)DEPT_HELD_ANNOUNCED;
}

static void remember_announce(struct dept_thread *t, uintptr_t obj) {
    uint32_t n = t->nheld;
    struct dept_announce *a = &t->announce[t->nannounce++ % DEPT_ANNOUNCE];
    a->obj = obj;
    for (uint32_t k = 0; k < DEPT_ANNOUNCE_DEPTH; k++) a->chains[k] = k < n ? t->held[n - 1 - k].chain : DEPT_CHAIN_SEED;
    a->nheld = n;
    a->nhist = t->nhist;
}

// Tells the core a new event. Its own frame, for the same reason as
// tell_core_wait: 3.5 KiB of held entries that only a signal handler's
// event needs were on the stack under every event's stack capture.
static __attribute__((noinline)) void tell_core_event(struct dept_thread *t, const struct dept_event *ev,
                                                      uint64_t pending, uint32_t nheld,
                                                      const struct dept_history_view *view, uint32_t nh,
                                                      bool active, uint64_t window) {
    struct dept_held settled[64];
    const struct dept_held *held = settled_held(t, pending, &nheld, settled);
    dept_core_lock();
    dept_core_event(t->tid, ev, held, nheld, view, nh, active ? 1 : 0, window);
    dept_core_event_site(t->tid, ev->cls, ev->op, ev->stack);
    dept_core_unlock();
}

// Events: which waits an event depends on is decided by the core
// (Sources/DeptCore/EventRules.swift, where each rule is written down and
// unit-tested). The shim hands it the raw material: the contexts the thread
// holds, its recent non-lock waits, and the object's current waiting
// episode. The memo key covers everything the rules could look at, so a
// known situation does not leave the thread.
void dept_event(struct dept_thread *t, struct dept_obj_ref o, struct dept_sync *sy, uint16_t op, uint32_t flags,
                uintptr_t pc, uint32_t check) {
    if (t->sems_held) dept_held_validate(t);
    uint64_t window = 0;
    bool active = false;
    if (sy) {
        // Who triggers this object's events: the hang monitor's candidates
        // for waking its waiters.
        uint32_t last = atomic_load_explicit(&sy->triggered_by[0], memory_order_relaxed);
        if (last != t->tid) {
            atomic_store_explicit(&sy->triggered_by[1], last, memory_order_relaxed);
            atomic_store_explicit(&sy->triggered_by[0], t->tid, memory_order_relaxed);
        }
        active = atomic_load(&sy->waiters) > 0;
        window = atomic_load(&sy->window);
        // It wakes a thread asleep on the object: the thread's next wait
        // for an event says so (CycleJudge.wokeRule).
        if (!(flags & DEPT_EVENT_RELEASE)
            && (active || atomic_load_explicit(&sy->timed_waiters, memory_order_relaxed) > 0))
            t->woke_cls = o.cls;
    }
    // The event's epoch (before anything it releases): the waits that got
    // the contexts it fires under returned before it.
    struct dept_epoch at = dept_clock_now(t);
    if (!(flags & DEPT_EVENT_RELEASE)) trigger_site(t, o.cls, pc);
    release_clock(t, sy, active, op);
    // An event a signal handler makes happens whenever the signal comes,
    // also while the interrupted code waits: it depends on none of the
    // thread's contexts or waits (signal_hooks.c).
    bool in_handler = dept_in_signal_handler(t);
    uint32_t nheld = (flags & DEPT_EVENT_UNHELD) || in_handler ? 0 : t->nheld;
    bool may_announce = !(flags & DEPT_EVENT_RELEASE) && o.addr;
    bool walk = active && !(flags & DEPT_EVENT_RELEASE) && !in_handler;
    if (!walk && (nheld == 0 || (nheld == 1 && (t->held[0].flags & DEPT_HELD_THREAD)))) {
        // No context (a thread's own entry is none) and no history the rules
        // could look at (relevant stays 0 below): a work queue's producer,
        // posting with nothing held and nobody waiting, built a memo key it
        // never looked up.
        if (may_announce) remember_announce(t, o.addr);
        dept_event_site(t, o.cls, op, pc);
        return;
    }
    // The held contexts and history waits, in order; the event's own part
    // of the key is mixed in only if there is something to look up (a
    // ping-pong's post, with nobody else's wait in its history, has not).
    uint64_t key = 0x45564e5400000000ull;
    uint32_t relevant = 0;
    // Entries of mutexes the thread is still acquiring (a signal handler's
    // event): not contexts of the event.
    uint64_t pending = pending_held(t, nheld);
    // Marked only for this event (see announced); cleared before returning.
    uint64_t marked = 0;
    for (uint32_t i = 0; i < nheld; i++) {
        struct dept_held *h = &t->held[i];
        if (h->flags & DEPT_HELD_THREAD || (pending >> (i & 63) & 1)) continue;
        if (may_announce && t->nannounce && i < 64 && announced(t, i, o.addr)) {
            h->flags |= DEPT_HELD_ANNOUNCED;
            marked |= 1ull << i;
        }
        key = dept_mix(key, ((uint64_t)h->cls << 32) ^ ((uint64_t)h->flags << 8) ^ h->mode);
        relevant++;
    }
    if (may_announce) remember_announce(t, o.addr);
    struct dept_history_view view[DEPT_HISTORY];
    uint32_t nh = 0;
    if (walk) {
        uint32_t n = t->nhist < DEPT_HISTORY ? t->nhist : DEPT_HISTORY, before = 0;
        for (uint32_t k = 0; k < n; k++) {
            struct dept_hist *h = &t->hist[(t->nhist - 1 - k) % DEPT_HISTORY];
            // Entries go in in wait-clock order, so from the newest back the
            // first that began before the window ends the walk (a post per
            // wait, as in a ping-pong, walked the whole ring every time).
            // One out of order is let through: a signal handler's wait pushed
            // between another's clock tick and its slot.
            if (h->ts <= window) {
                if (++before == 2) break;
                continue;
            }
            view[nh++] = dept_hist_view(h);
            key = dept_mix(key, ((uint64_t)h->cls << 16) ^ h->awaits ^ 0x8000);
            relevant++;
        }
    }
    if (relevant == 0 || !dept_config.detect_potential) {
        unmark(t, marked);
        // Nothing it could depend on; still remember where events of this
        // class happen, for [E] stacks.
        dept_event_site(t, o.cls, op, pc);
        return;
    }
    // What the thread last waited for: the core keeps what firings after
    // each kind of wait depended on (WakeChains).
    uint32_t after = in_handler ? 0 : t->last_wait_cls;
    key = dept_mix(dept_mix(dept_mix_pc(key ^ ((uint64_t)o.cls << 16) ^ op, pc), flags), (uint64_t)check << 32 | after);
    if (dept_seen_get(t, key)) { unmark(t, marked); return; }
    if (!core_room(t)) { unmark(t, marked); return; }
    uint32_t stack = dept_capture_stack();
    uint16_t evflags = (flags & DEPT_EVENT_RELEASE) ? 1 : 0;
    if (sy && atomic_load(&sy->tokens)) evflags |= 2;
    struct dept_event ev = { o.cls, o.inst, stack, op, evflags, at, pc, check, after };
    tell_core_event(t, &ev, pending, nheld, view, nh, active, window);
    unmark(t, marked);
    dept_seen_put(t, key, stack);
    t->event_seen[o.cls & (DEPT_EVENT_SLOTS - 1)] = o.cls;
}
