// sync_state.c - per-instance state of condvars, semaphores and eventfds:
// who waits now (the window that decides which waits an event depends on)
// and who holds a binary semaphore. Keyed by instance id, which is unique
// per object lifetime, so reused addresses never share a record. Records
// live in arena chunks and never move; the index is rebuilt on growth.
// A record is given back when its object's life ends (destroy, close, the
// join of a thread, the end of a detached one) and reused, with its clock's
// memory, by a later object: a program that creates a million threads or
// condvars over its run keeps as many records as it has alive at once
// (each held a vector clock page, 4 KiB per thread ever created).
#include "shim.h"
#include "clocks.h"
#include <sys/mman.h>
#include <sched.h>
#include <errno.h>
#include <string.h>

static DEPT_LONE(dept_spin) sync_lock = { DEPT_SPIN_INIT };

// Open addressing by instance. Lookups of existing records probe without
// the lock: every sem_post, sem_wait, signal and eventfd read or write looks
// its record up, and a process-wide lock taken there by the threads of a
// ping-pong bounced its cache line between them on every operation. A probe
// that finds nothing (the record is new, or moved by a growth or a removal
// under it) asks again under the lock, which is always exact. An index
// replaced by a larger one stays mapped, because a lock-free reader may
// still be in it: all of them together are smaller than the last.
struct sync_index {
    uint64_t mask;
    _Atomic(struct dept_sync *) slots[];
};
static _Atomic(struct sync_index *) current_index;
static uint64_t index_used;
static struct dept_sync *arena;
static size_t arena_left;
static struct dept_sync *free_records;
// Odd while a removal moves records within the index, bumped again after:
// a lock-free probe that found nothing, with no move begun or ended around
// it, has proven the record absent (dept_sync_forget).
static _Atomic uint64_t index_moves;
// Under the lock, the only writer.
static void bump_moves(void) {
    atomic_store_explicit(&index_moves, atomic_load_explicit(&index_moves, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}
static DEPT_LONE(_Atomic uint64_t) wait_clock = { 1 };

static void lock(void) { dept_spin_take(&sync_lock.v); }
static void unlock(void) { dept_spin_drop(&sync_lock.v); }

uint64_t dept_wait_clock_tick(void) { return atomic_fetch_add_explicit(&wait_clock.v, 1, memory_order_relaxed); }
uint64_t dept_wait_clock_read(void) { return atomic_load_explicit(&wait_clock.v, memory_order_relaxed); }

static struct dept_sync *sync_get(uint32_t inst);

static inline uint64_t home_of(uint32_t inst, uint64_t mask) { return (inst * 0x9e3779b97f4a7c15ull >> 20) & mask; }
static inline struct dept_sync *slot(struct sync_index *x, uint64_t j) {
    return atomic_load_explicit(&x->slots[j], memory_order_acquire);
}
static inline void set_slot(struct sync_index *x, uint64_t j, struct dept_sync *r) {
    atomic_store_explicit(&x->slots[j], r, memory_order_release);
}

static bool grow(void) {
    struct sync_index *old = atomic_load_explicit(&current_index, memory_order_relaxed);
    uint64_t n = old ? (old->mask + 1) * 2 : 1024;
    struct sync_index *x = mmap(0, sizeof *x + n * sizeof x->slots[0], PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (x == MAP_FAILED) return false;
    x->mask = n - 1;
    if (old)
        for (uint64_t i = 0; i <= old->mask; i++) {
            struct dept_sync *r = slot(old, i);
            if (!r) continue;
            uint64_t j = home_of(r->inst, x->mask);
            while (slot(x, j)) j = (j + 1) & x->mask;
            set_slot(x, j, r);
        }
    atomic_store_explicit(&current_index, x, memory_order_release);
    return true;
}

// The record of inst if the current index has it; 0 says nothing for sure.
static struct dept_sync *probe(uint32_t inst) {
    struct sync_index *x = atomic_load_explicit(&current_index, memory_order_acquire);
    if (!x) return 0;
    for (uint64_t j = home_of(inst, x->mask);; j = (j + 1) & x->mask) {
        struct dept_sync *r = slot(x, j);
        if (!r) return 0;
        // A record being given to another object meanwhile has another inst.
        if (__atomic_load_n(&r->inst, __ATOMIC_RELAXED) == inst) return r;
    }
}

struct dept_sync *dept_sync_get(uint32_t inst) {
    struct dept_sync *r = probe(inst);
    if (LIKELY(r)) return r;
    int e = errno;
    r = sync_get(inst);
    errno = e;
    return r;
}

// Lookup without creating: a record exists only for objects something
// happened to (a wait, an event, a published clock).
struct dept_sync *dept_sync_find(uint32_t inst) {
    struct dept_sync *r = probe(inst);
    if (r) return r;
    lock();
    struct sync_index *x = atomic_load_explicit(&current_index, memory_order_relaxed);
    if (x)
        for (uint64_t j = home_of(inst, x->mask); slot(x, j); j = (j + 1) & x->mask)
            if (slot(x, j)->inst == inst) { r = slot(x, j); break; }
    unlock();
    return r;
}

static struct dept_sync *sync_get(uint32_t inst) {
    lock();
    struct sync_index *x = atomic_load_explicit(&current_index, memory_order_relaxed);
    if ((!x || (index_used + 1) * 2 > x->mask + 1) && !grow() && !x) { unlock(); return 0; }
    x = atomic_load_explicit(&current_index, memory_order_relaxed);
    uint64_t j = home_of(inst, x->mask);
    for (; slot(x, j); j = (j + 1) & x->mask)
        if (slot(x, j)->inst == inst) { struct dept_sync *r = slot(x, j); unlock(); return r; }
    struct dept_sync *r = free_records;
    if (r) {
        free_records = r->next_free;
        // Its clock memory comes along, emptied: nothing of the old object's
        // clock may vouch for the new one.
        uint32_t *vc = r->clk_vc, cap = r->clk_cap;
        if (vc != r->clk_inline) memset(vc, 0, (size_t)cap * sizeof *vc);
        memset(r, 0, sizeof *r);
        r->clk_vc = vc;
        r->clk_cap = cap;
    } else {
        if (!arena_left) {
            size_t bytes = 1 << 16;
            void *p = mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) { unlock(); return 0; }
            arena = p;
            arena_left = bytes / sizeof *arena;
        }
        r = arena++;
        arena_left--;
        memset(r, 0, sizeof *r);
        r->clk_vc = r->clk_inline;
        r->clk_cap = DEPT_SYNC_INLINE_VC;
    }
    r->inst = inst;
    set_slot(x, j, r);
    index_used++;
    unlock();
    return r;
}

// The object's life is over: its record goes back for reuse. A thread still
// inside a call on a destroyed object (undefined behaviour for the program)
// may write into the record's next life; the memory stays mapped.
void dept_sync_forget(uint32_t inst) {
    if (!inst) return;
    // Most objects never had a record (a mutex nothing published into): the
    // lock taken for each destroy just to find nothing was a twentieth of
    // the time of a program that makes and destroys millions of mutexes.
    // The record, if any, was made before the destroy (the program's own
    // synchronisation orders them), and a growth leaves the old index whole.
    uint64_t moves = atomic_load_explicit(&index_moves, memory_order_acquire);
    if (!(moves & 1) && !probe(inst)) {
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&index_moves, memory_order_relaxed) == moves) return;
    }
    lock();
    struct sync_index *x = atomic_load_explicit(&current_index, memory_order_relaxed);
    uint64_t i = x ? home_of(inst, x->mask) : 0;
    while (x && slot(x, i) && slot(x, i)->inst != inst) i = (i + 1) & x->mask;
    struct dept_sync *r = x ? slot(x, i) : 0;
    if (!r) { unlock(); return; }
    // Backward-shift deletion: later entries of the probe run move up, so
    // lookups never meet a hole before their entry (a lock-free probe that
    // does, mid-move, asks again under the lock).
    bump_moves();   // odd: moving
    atomic_thread_fence(memory_order_release);
    for (uint64_t k = i;;) {
        set_slot(x, i, 0);
        for (;;) {
            k = (k + 1) & x->mask;
            if (!slot(x, k)) goto removed;
            uint64_t h = home_of(slot(x, k)->inst, x->mask);
            bool stays = i <= k ? (i < h && h <= k) : (i < h || h <= k);
            if (!stays) break;
        }
        set_slot(x, i, slot(x, k));
        i = k;
    }
removed:
    atomic_thread_fence(memory_order_release);
    bump_moves();   // even: settled
    index_used--;
    r->next_free = free_records;
    free_records = r;
    unlock();
}

// The window of an event: from the start of the most recent wait on the
// object (the kernel DEPT's "valid since"), while anybody still waits on it.
// A wait the event's thread started earlier was under way, or over, when
// that waiter asked, so it cannot be what holds the waiter up; with the
// first waiter's start instead, an object that always has someone waiting
// (a contended lock built from a mutex and a condvar) made every earlier
// wait of every signaller count. The clock released into the object in an
// episode is forgotten when nobody waits any more.
uint32_t dept_sync_wait_begin(struct dept_sync *s, uint64_t ts) {
    if (!s) return 0;
    atomic_fetch_add(&s->waiters, 1);
    uint64_t w = atomic_load(&s->window);
    while (w < ts && !atomic_compare_exchange_weak(&s->window, &w, ts)) {}
    return dept_clock_seq(s);
}

void dept_sync_wait_end(struct dept_sync *s, uint32_t inst) {
    if (!s || s->inst != inst) return;
    if (atomic_fetch_sub(&s->waiters, 1) == 1) dept_clock_episode_over(s);
}

void dept_sync_atfork(int phase) {
    if (phase == 0) lock(); else unlock();
}

void dept_sync_foreach(void (*fn)(struct dept_sync *, void *), void *arg) {
    lock();
    struct sync_index *x = atomic_load_explicit(&current_index, memory_order_relaxed);
    if (x)
        for (uint64_t i = 0; i <= x->mask; i++)
            if (slot(x, i)) fn(slot(x, i), arg);
    unlock();
}
