// clocks.c - vector clocks over hard edges (see clocks.h and
// DeptCore/HappensBefore.swift for why and what they decide).
//
// Thread clocks are written only by their own thread. Clocks kept in a
// struct dept_sync are read and written under its clk_lock. Arrays come from
// mmap and grow by doubling; a thread's array stays with its record when the
// record is recycled, an object's stays with the object's record.
#include "clocks.h"
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#define MAX_SLOTS (1u << 16)

static dept_spin slots_lock = DEPT_SPIN_INIT;
static uint32_t *slot_last;          // per slot: the last time a retired thread reached there
static uint32_t *slot_era;           // per slot: its latest era boundary (clocks.h), 0 if none
static uint32_t *free_slots;
static uint32_t nfree;
static _Atomic uint32_t nslots;      // slots handed out so far (the width of every clock)

// Up to this width a thread whose start did not know any free slot's last
// thread had ended gets a new slot rather than start an era: clocks this
// narrow still fit a sync object's inline entries, and most programs then
// never see an era at all.
#define SOFT_WIDTH DEPT_SYNC_INLINE_VC
// Free slots looked at for one whose last thread the new one knew ended
// (the most recently freed first: a pool that joins a worker and starts
// the next one finds it at once).
#define COVERED_SCAN 64

static void *raw(size_t bytes) {
    void *p = mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? 0 : p;
}

uint32_t dept_clock_width(void) { return atomic_load_explicit(&nslots, memory_order_relaxed); }

// Makes room for n entries in *vc (zero-filled); false when memory is out
// (the clock then stays short: entries beyond it read as 0, which only
// makes happens-before weaker, never wrong). `inline_vc`: storage inside
// the owner that *vc may point to, which is not unmapped.
static bool reserve(uint32_t **vc, uint32_t *cap, uint32_t n, const uint32_t *inline_vc) {
    if (n <= *cap) return true;
    uint32_t c = *cap ? *cap : 16;
    while (c < n) c *= 2;
    uint32_t *p = raw((size_t)c * sizeof *p);
    if (!p) return false;
    if (*vc) {
        memcpy(p, *vc, (size_t)*cap * sizeof *p);
        if (*vc != inline_vc) munmap(*vc, (size_t)*cap * sizeof **vc);
    }
    *vc = p;
    *cap = c;
    return true;
}

// Entries at and beyond the width are 0 in every clock (no thread ever had
// those slots), so loops stop there instead of at a clock's capacity (at
// least 16): a post and a wait in a 2-thread ping-pong went through 16
// entries of every clock several times. Read under the clock's lock, the
// width covers every slot a clock read there can name.
static inline uint32_t in_use(uint32_t n) {
    uint32_t w = dept_clock_width();
    return w < n ? w : n;
}

// Inline: every wait that a post ended joins the post's clock, and the
// call and its frame were a third of the join for the few entries of a
// program with a handful of threads.
static inline __attribute__((always_inline)) void join_into(uint32_t **vc, uint32_t *cap, const uint32_t *from,
                                                            uint32_t n, const uint32_t *inline_vc) {
    n = in_use(n);
    if (UNLIKELY(n > *cap) && !reserve(vc, cap, n, inline_vc)) n = *cap;
    for (uint32_t i = 0; i < n; i++)
        if (from[i] > (*vc)[i]) (*vc)[i] = from[i];
}

// The slot for a new thread, under slots_lock. Prefers a free slot whose
// last thread's end the new thread's start knew (`from`): the new thread's
// times then vouch for the old thread's too, as the old entries' readers
// expect. Failing that, a new slot while clocks are narrow; then a free slot
// anyway, which starts an era (*era_after gets the old thread's last time).
static uint32_t pick_slot(const uint32_t *from, uint32_t n, uint32_t *era_after) {
    *era_after = 0;
    uint32_t scan = nfree < COVERED_SCAN ? nfree : COVERED_SCAN;
    for (uint32_t k = 0; k < scan; k++) {
        uint32_t i = nfree - 1 - k, s = free_slots[i];
        if (s < n && from[s] >= slot_last[s]) {
            free_slots[i] = free_slots[--nfree];
            return s;
        }
    }
    uint32_t width = atomic_load(&nslots);
    if (width < MAX_SLOTS && (width < SOFT_WIDTH || !nfree)) return atomic_fetch_add(&nslots, 1);
    if (!nfree) return UINT32_MAX;
    uint32_t s = free_slots[--nfree];
    *era_after = slot_last[s];
    __atomic_store_n(&slot_era[s], slot_last[s], __ATOMIC_RELAXED);
    return s;
}

void dept_clock_thread_start(struct dept_thread *t, struct dept_sync *start) {
    // The start's clock is read under its lock, for the slot's choice and
    // to be joined in: one view of it for both.
    if (start) dept_spin_take(&start->clk_lock);
    const uint32_t *from = start && start->clk_n ? start->clk_vc : 0;
    uint32_t n = from ? in_use(start->clk_cap) : 0;
    dept_spin_take(&slots_lock);
    if (!slot_last) {
        slot_last = raw(MAX_SLOTS * sizeof *slot_last);
        slot_era = raw(MAX_SLOTS * sizeof *slot_era);
        free_slots = raw(MAX_SLOTS * sizeof *free_slots);
    }
    uint32_t era_after = 0;
    uint32_t slot = slot_last && slot_era && free_slots ? pick_slot(from, n, &era_after) : UINT32_MAX;
    uint32_t time = slot != UINT32_MAX ? slot_last[slot] + 1 : 0;
    dept_spin_drop(&slots_lock);
    if (t->clk_vc) memset(t->clk_vc, 0, (size_t)t->clk_cap * sizeof *t->clk_vc);
    t->clk_slot = slot;
    t->clk_time = time;
    t->clk_reused_after = era_after;
    t->clk_waited = 0;
    t->clk_last_wait = 0;
    memset(t->clk_waited_at, 0, sizeof t->clk_waited_at);
    memset(t->clk_known, 0, sizeof t->clk_known);
    if (slot != UINT32_MAX) {
        if (from) join_into(&t->clk_vc, &t->clk_cap, from, n, 0);
        if (reserve(&t->clk_vc, &t->clk_cap, slot + 1, 0)) t->clk_vc[slot] = time;
    }
    if (start) dept_spin_drop(&start->clk_lock);
}

void dept_clock_thread_end(struct dept_thread *t) {
    if (t->clk_slot == UINT32_MAX || !t->clk_time) return;
    dept_spin_take(&slots_lock);
    slot_last[t->clk_slot] = t->clk_time;
    free_slots[nfree++] = t->clk_slot;
    dept_spin_drop(&slots_lock);
    t->clk_slot = UINT32_MAX;
}

void dept_clock_tick(struct dept_thread *t) {
    if (!t->clk_time) return;
    if (t->clk_waited) { t->clk_last_wait = t->clk_time; t->clk_waited = 0; }
    t->clk_time++;
    if (t->clk_slot < t->clk_cap) t->clk_vc[t->clk_slot] = t->clk_time;
}

struct dept_epoch dept_clock_last_wait(const struct dept_thread *t) {
    return (struct dept_epoch){ t->clk_slot, t->clk_waited ? t->clk_time : t->clk_last_wait };
}

// ---- objects ---------------------------------------------------------------

// Written under clk_lock, read without it: every wait asks, and taking the
// lock for one word made a waiter write the line its poster writes.
uint32_t dept_clock_seq(struct dept_sync *s) { return __atomic_load_n(&s->clk_seq, __ATOMIC_ACQUIRE); }
static inline void next_seq(struct dept_sync *s) { __atomic_store_n(&s->clk_seq, s->clk_seq + 1, __ATOMIC_RELEASE); }

// Under clk_lock, after clk_vc or clk_n changed: what a thread joined at the
// previous version is no longer all of it. 0 is skipped (a version nobody
// has joined at).
static inline void clock_changed(struct dept_sync *s) {
    uint32_t v = atomic_load_explicit(&s->clk_version, memory_order_relaxed) + 1;
    atomic_store_explicit(&s->clk_version, v ? v : 1, memory_order_release);
}

// Under clk_lock, which it drops: t's release is s's latest (its epoch in
// the ring of recent ones), then t ticks. The ring is read without the lock
// (recent_releases): each entry is written as a sequence lock whose number
// is the release's (0 while it changes), and published before the count.
static void note_release(struct dept_sync *s, struct dept_thread *t) {
    uint32_t q = s->clk_seq + 1;
    struct dept_epoch now = dept_clock_now(t);
    struct dept_release_note *e = &s->clk_recent[q % DEPT_SAT_MAX];
    __atomic_store_n(&e->seq, 0, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&e->at.slot, now.slot, __ATOMIC_RELAXED);
    __atomic_store_n(&e->at.time, now.time, __ATOMIC_RELAXED);
    __atomic_store_n(&e->seq, q, __ATOMIC_RELEASE);
    next_seq(s);
    dept_spin_drop(&s->clk_lock);
    dept_clock_tick(t);
}

// The epochs of s's `last` releases up to number `upto` (at most
// DEPT_SAT_MAX), oldest first; 0 when any of them is unknown (overwritten
// meanwhile, or fewer releases ever: tokens the object was made with).
// Needs no lock: a wait that found a token asks while its posters write.
static uint32_t recent_releases(const struct dept_sync *s, uint32_t upto, uint32_t last, struct dept_epoch *sat) {
    if (!last || last > DEPT_SAT_MAX) return 0;
    for (uint32_t k = 0; k < last; k++) {
        uint32_t q = upto - last + 1 + k;
        const struct dept_release_note *e = &s->clk_recent[q % DEPT_SAT_MAX];
        uint32_t before = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
        struct dept_epoch at = { __atomic_load_n(&e->at.slot, __ATOMIC_RELAXED),
                                 __atomic_load_n(&e->at.time, __ATOMIC_RELAXED) };
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        // Number 0 is no release (the count starts at 1; or it wrapped).
        if (!q || before != q || __atomic_load_n(&e->seq, __ATOMIC_RELAXED) != q) return 0;
        sat[k] = at;
    }
    return last;
}

void dept_clock_release_episode(struct dept_sync *s, struct dept_thread *t) {
    if (!t->clk_time) return;
    uint32_t n = t->clk_slot + 1 > t->clk_cap ? t->clk_cap : t->clk_slot + 1;
    dept_spin_take(&s->clk_lock);
    uint32_t width = dept_clock_width();
    if (width < n) width = n;
    if (reserve(&s->clk_vc, &s->clk_cap, width, s->clk_inline)) {
        uint32_t known = t->clk_cap < width ? t->clk_cap : width;
        if (s->clk_n == 0) {
            // A loop, not memcpy and memset: the width is the number of
            // threads' slots, a handful in most programs, and the two calls
            // cost more than the copy (the first post of every waiting
            // episode, so every post of a ping-pong).
            for (uint32_t i = 0; i < width; i++) s->clk_vc[i] = i < known ? t->clk_vc[i] : 0;
        } else {
            // The meet: what every release of the episode knew. Two
            // times of a slot on either side of an era boundary (or of one
            // no longer known) speak of different threads: nothing of that
            // slot is known to both.
            for (uint32_t i = 0; i < width; i++) {
                uint32_t v = i < known ? t->clk_vc[i] : 0, m = s->clk_vc[i];
                if (v == m) continue;
                uint32_t lo = v < m ? v : m;
                uint32_t era = slot_era ? __atomic_load_n(&slot_era[i], __ATOMIC_RELAXED) : 0;
                s->clk_vc[i] = era && lo <= era ? 0 : lo;
            }
        }
        s->clk_n++;
        clock_changed(s);
    }
    note_release(s, t);
}

void dept_clock_note_post(struct dept_sync *s, struct dept_thread *t) {
    if (!t->clk_time) return;
    dept_spin_take(&s->clk_lock);
    note_release(s, t);
}

void dept_clock_acquire_episode(struct dept_sync *s, struct dept_thread *t, uint32_t seq,
                                uint32_t ready, struct dept_epoch *sat, uint32_t *nsat) {
    *nsat = 0;
    dept_spin_take(&s->clk_lock);
    uint32_t released = s->clk_seq - seq;
    // The latest releases that may have ended the wait: those made while it
    // waited, or, when none was, the posts that left the tokens it found
    // (tokens are alike, so the last `ready` posts; every post is a release).
    uint32_t last = 0;
    if (released && s->clk_n) {
        join_into(&t->clk_vc, &t->clk_cap, s->clk_vc, s->clk_cap, 0);
        last = released;
    } else if (!released) {
        last = ready;
    }
    *nsat = recent_releases(s, s->clk_seq, last, sat);
    dept_spin_drop(&s->clk_lock);
    if (t->clk_slot < t->clk_cap) t->clk_vc[t->clk_slot] = t->clk_time;
}

void dept_clock_found_tokens(struct dept_sync *s, uint32_t ready, struct dept_epoch *sat, uint32_t *nsat) {
    *nsat = recent_releases(s, dept_clock_seq(s), ready, sat);
}

void dept_clock_episode_over(struct dept_sync *s) {
    dept_spin_take(&s->clk_lock);
    s->clk_n = 0;
    clock_changed(s);
    dept_spin_drop(&s->clk_lock);
}

void dept_clock_publish_start(struct dept_sync *body, struct dept_thread *parent) {
    dept_spin_take(&body->clk_lock);
    if (parent->clk_time && reserve(&body->clk_vc, &body->clk_cap, parent->clk_cap, body->clk_inline)) {
        memset(body->clk_vc, 0, (size_t)body->clk_cap * sizeof *body->clk_vc);
        memcpy(body->clk_vc, parent->clk_vc, (size_t)parent->clk_cap * sizeof *parent->clk_vc);
        body->clk_n = 1;
        clock_changed(body);
    }
    dept_spin_drop(&body->clk_lock);
    dept_clock_tick(parent);
}

void dept_clock_exit(struct dept_sync *body, struct dept_thread *t) {
    dept_clock_tick(t);
    dept_spin_take(&body->clk_lock);
    if (t->clk_time && reserve(&body->clk_vc, &body->clk_cap, t->clk_cap, body->clk_inline)) {
        memset(body->clk_vc, 0, (size_t)body->clk_cap * sizeof *body->clk_vc);
        memcpy(body->clk_vc, t->clk_vc, (size_t)t->clk_cap * sizeof *t->clk_vc);
        body->clk_n = 1;
    } else {
        body->clk_n = 0;
    }
    clock_changed(body);
    next_seq(body);
    dept_spin_drop(&body->clk_lock);
}

// t learns what s holds. Returns the version of s's clock t now knows all
// of, or 0 when the join was cut short (t's clock could not grow).
static uint32_t acquire_all(struct dept_sync *s, struct dept_thread *t) {
    dept_spin_take(&s->clk_lock);
    if (s->clk_n) join_into(&t->clk_vc, &t->clk_cap, s->clk_vc, s->clk_cap, 0);
    uint32_t v = t->clk_cap >= in_use(s->clk_cap) ? atomic_load_explicit(&s->clk_version, memory_order_relaxed) : 0;
    dept_spin_drop(&s->clk_lock);
    if (t->clk_slot < t->clk_cap) t->clk_vc[t->clk_slot] = t->clk_time;
    return v;
}

void dept_clock_acquire_all(struct dept_sync *s, struct dept_thread *t) { acquire_all(s, t); }

void dept_clock_publish(struct dept_sync *m, uint32_t cls, struct dept_thread *t) {
    if (!t->clk_time) return;
    dept_spin_take(&m->clk_lock);
    bool first = !m->clk_n;
    // Knowing all of m's clock before, t knows all of the join after.
    bool knew = dept_clock_knows_published(t, m->inst);
    join_into(&m->clk_vc, &m->clk_cap, t->clk_vc, t->clk_cap, m->clk_inline);
    m->clk_n = 1;
    clock_changed(m);
    if (knew) dept_clock_known(t, m->inst)->version = atomic_load_explicit(&m->clk_version, memory_order_relaxed);
    dept_spin_drop(&m->clk_lock);
    if (first) {
        // From now on its acquisitions must look: none may be answered from
        // an acquisition cache filled before (once per such mutex).
        dept_class_mark_published(cls);
        atomic_fetch_add(&dept_obj_gen, 1);
    }
}

bool dept_clock_is_published(uint32_t cls, uint32_t inst) {
    if (LIKELY(!dept_class_published(cls))) return false;
    struct dept_sync *m = dept_sync_find(inst);
    return m && m->clk_n;
}

// Every acquisition of a mutex a condvar was signalled under joins what was
// published into it, and such a mutex is often the one lock every thread
// takes (perl's threads::shared: 652k joins for 5,000 queue items, a third of
// the instructions dept added). A thread that joined the clock at its
// current version already knows all of it: its own clock only grows. The
// version is read without the lock: a publish racing with the acquisition
// is one the mutex orders after it (both hold the mutex). The memo keeps the
// record too: instances are never reused, and the record of a live object
// (this one: it is being locked) stays where it is.
void dept_clock_acquire_published(struct dept_thread *t, struct dept_obj_ref o) {
    if (LIKELY(!dept_class_published(o.cls))) return;
    if (dept_clock_knows_published(t, o.inst)) return;
    struct dept_clk_known *k = dept_clock_known(t, o.inst);
    struct dept_sync *m = k->inst == o.inst && k->sync ? k->sync : dept_sync_find(o.inst);
    if (!m) return;
    uint32_t v = acquire_all(m, t);
    *k = (struct dept_clk_known){ o.inst, v, m };
}

uint32_t dept_clock_request(struct dept_thread *t, uint32_t *out, uint32_t cap) {
    if (!t->clk_time) return 0;
    uint32_t n = t->clk_cap < cap ? t->clk_cap : cap;
    memcpy(out, t->clk_vc, (size_t)n * sizeof *out);
    while (n && !out[n - 1]) n--;
    return n;
}

// Fork: the slot table must not be copied mid-update.
void dept_clocks_atfork(int phase) {
    if (phase == 0) dept_spin_take(&slots_lock);
    else dept_spin_drop(&slots_lock);
}
