// class_hints.c - what the core said the shim need not tell it about a
// class, read on the hooks' slow paths without a lock.
//
// Today one fact per class: the address directions in which instance pairs
// of the class are known enough (SameClassNesting in the core: a class
// nested thousands of times in one address order keeps a sample of its
// pairs; more pairs in that order cannot close a loop). One byte per class
// id, in a reserved mapping whose pages are touched only for classes that
// got a hint. Class ids beyond it simply get no hint.
#include "shim.h"
#include <sys/mman.h>

#define MAX_HINTED_CLASSES (1u << 24)

static _Atomic(_Atomic uint8_t *) skip_bytes;

uint32_t dept_same_class_skip(uint32_t cls) {
    _Atomic uint8_t *b = atomic_load_explicit(&skip_bytes, memory_order_acquire);
    if (LIKELY(!b) || cls >= MAX_HINTED_CLASSES) return 0;
    return atomic_load_explicit(&b[cls], memory_order_relaxed);
}

// Called by the core, with the core lock held (so hints never race each other).
void dept_shim_same_class_hint(uint32_t cls, uint32_t skip) {
    if (cls >= MAX_HINTED_CLASSES) return;
    _Atomic uint8_t *b = atomic_load_explicit(&skip_bytes, memory_order_relaxed);
    if (!b) {
        if (!skip) return;
        void *p = mmap(0, MAX_HINTED_CLASSES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) return;
        b = p;
        atomic_store_explicit(&skip_bytes, b, memory_order_release);
    }
    atomic_store_explicit(&b[cls], (uint8_t)skip, memory_order_relaxed);
}
