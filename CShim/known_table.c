// known_table.c - the process-wide second level of the per-thread memos.
//
// A thread's memo (dept_thread.seen, .event_seen) is direct-mapped and
// small, so a thread that cycles through more situations than it has slots
// (10k lock classes, 1000 locks held at once) kept missing it, and every
// miss cost a stack capture and a trip into the core for something the core
// already knew. This table catches those misses: one slot per key, written
// by whichever thread saw the key last, read without a lock.
//
// It is lossy by design (a full bucket overwrites; a miss only costs the
// trip the per-thread memo would have cost) and has a fixed size in .bss
// (2 MiB), so its memory is bounded and only touched pages are resident.
#include "shim.h"

// 4-way buckets of one cache line each: 10k classes make some 30k keys
// (site, wait and release-site keys), which a direct-mapped table of this
// size kept evicting from each other.
#define KNOWN_WAYS 4
#define KNOWN_BUCKETS (1u << 15)

struct known_slot {
    _Atomic uint64_t key;   // 0 while being written
    _Atomic uint64_t val;   // recorder's dept tid << 32 | stack id
};
struct known_bucket {
    struct known_slot way[KNOWN_WAYS];
} __attribute__((aligned(64)));
// Page-aligned: `written` below tracks it page by page.
static struct known_bucket known[KNOWN_BUCKETS] __attribute__((aligned(4096)));

// Other bits than the per-thread memo's slot index, so keys that collide
// there spread here.
static inline uint32_t bucket_index(uint64_t key) { return (uint32_t)(key >> 24) & (KNOWN_BUCKETS - 1); }

// Pages of the table some put has written. A get from a page no put has
// written is a miss without reading it, and a put there writes without
// reading: keys are hashed over all 512 pages, and the first touch of a
// page by a read maps the shared zero page, which the first write then
// faults again to copy (a get before the put of each new key is the usual
// order, and the put reads its bucket first). scale_classes' first round
// took about 1,000 of its 6,500 page faults here, each a trap out of the
// VM, now about 500.
#define KNOWN_PAGES (sizeof known / 4096)
static _Atomic uint64_t written[(KNOWN_PAGES + 63) / 64];
static inline uint32_t page_of(uint32_t bucket) { return (uint32_t)(bucket * sizeof known[0] / 4096); }

uint32_t dept_known_get(uint64_t key, uint32_t *tid) {
    uint32_t i = bucket_index(key), p = page_of(i);
    // Acquire: the put's writes to the page come before its bit.
    if (!(atomic_load_explicit(&written[p / 64], memory_order_acquire) >> (p % 64) & 1)) return 0;
    struct known_bucket *b = &known[i];
    for (int w = 0; w < KNOWN_WAYS; w++) {
        struct known_slot *s = &b->way[w];
        if (atomic_load_explicit(&s->key, memory_order_acquire) != key) continue;
        uint64_t v = atomic_load_explicit(&s->val, memory_order_relaxed);
        // Seqlock-style: the value belongs to the key only if the key is
        // still there after reading it (a writer clears the key first).
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&s->key, memory_order_relaxed) != key) return 0;
        *tid = (uint32_t)(v >> 32);
        return (uint32_t)v;
    }
    return 0;
}

void dept_known_put(uint64_t key, uint32_t stack, uint32_t tid) {
    if (!key || !stack) return;
    uint32_t i = bucket_index(key), p = page_of(i);
    struct known_bucket *b = &known[i];
    // The key's own slot if it is there, else an empty one, else a victim
    // chosen by other bits of the key. Racing writers may both land on a
    // slot; the last one wins and the other's key is merely asked again.
    // On a page no put has written every slot is empty: the first way,
    // without reading the page first (the read is what faulted it twice).
    bool fresh = !(atomic_load_explicit(&written[p / 64], memory_order_relaxed) >> (p % 64) & 1);
    struct known_slot *s = fresh ? &b->way[0] : 0;
    for (int w = 0; w < KNOWN_WAYS && !s; w++) {
        uint64_t k = atomic_load_explicit(&b->way[w].key, memory_order_relaxed);
        if (k == key || k == 0) s = &b->way[w];
    }
    if (!s) s = &b->way[(key >> 8) & (KNOWN_WAYS - 1)];
    atomic_store_explicit(&s->key, 0, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&s->val, (uint64_t)tid << 32 | stack, memory_order_relaxed);
    atomic_store_explicit(&s->key, key, memory_order_release);
    if (fresh) atomic_fetch_or_explicit(&written[p / 64], 1ull << (p % 64), memory_order_release);
}
