// known_table.c - the process-wide second level of the per-thread memos.
//
// A thread's memo (dept_thread.seen, .event_seen) is direct-mapped and
// small, so a thread that cycles through more situations than it has slots
// (10k lock classes, 1000 locks held at once) kept missing it, and every
// miss cost a stack capture and a trip into the core for something the core
// already knew. This table catches those misses: one slot per key, written
// by whichever thread saw the key last, read without a lock.
//
// It is lossy by design (a collision overwrites; a miss only costs the trip
// the per-thread memo would have cost) and has a fixed size in .bss, so its
// memory is bounded and only touched slots are ever resident.
#include "shim.h"

#define KNOWN_SLOTS (1u << 16)

struct known_slot {
    _Atomic uint64_t key;   // 0 while being written
    _Atomic uint64_t val;   // recorder's dept tid << 32 | stack id
};
static struct known_slot known[KNOWN_SLOTS];

// Other bits than the per-thread memo's slot index, so keys that collide
// there spread here.
static inline struct known_slot *slot_of(uint64_t key) { return &known[(key >> 24) & (KNOWN_SLOTS - 1)]; }

uint32_t dept_known_get(uint64_t key, uint32_t *tid) {
    struct known_slot *s = slot_of(key);
    if (atomic_load_explicit(&s->key, memory_order_acquire) != key) return 0;
    uint64_t v = atomic_load_explicit(&s->val, memory_order_relaxed);
    // Seqlock-style: the value belongs to the key only if the key is still
    // there after reading it (a writer clears the key first).
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&s->key, memory_order_relaxed) != key) return 0;
    *tid = (uint32_t)(v >> 32);
    return (uint32_t)v;
}

void dept_known_put(uint64_t key, uint32_t stack, uint32_t tid) {
    if (!key || !stack) return;
    struct known_slot *s = slot_of(key);
    atomic_store_explicit(&s->key, 0, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&s->val, (uint64_t)tid << 32 | stack, memory_order_relaxed);
    atomic_store_explicit(&s->key, key, memory_order_release);
}
