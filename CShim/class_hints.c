// class_hints.c - facts about a class that the hooks' slow paths read
// without a lock. One byte per class id, in a reserved mapping whose pages
// are touched only for classes that have one; class ids beyond it have none.
//
// * From the core: the address directions in which instance pairs of the
//   class are known enough (SameClassNesting: a class nested thousands of
//   times in one address order keeps a sample of its pairs; more pairs in
//   that order cannot close a loop).
// * From the shim: some mutex of the class carries a published clock
//   (clocks.h), so its acquisitions must look it up.
// * From the shim: the class stands for explicitly initialised objects in
//   static storage, which cycles must not mix (CycleJudge.staticObjectRule):
//   which object is held or awaited is part of a wait's memo key.
// * From the shim: the class's objects are pthread mutexes, whose owner
//   glibc records in the mutex (model.c asks it in a signal handler).
// * From the shim: the class's futex words behave as locks (a thread woken
//   from one releases it with FUTEX_WAKE itself; lock_takes.c).
// * From the shim: some mutex of the class has been the mutex of a condvar
//   wait, so an acquisition of one may begin a check of that condvar's
//   predicate (cond_checks.c).
// * From the shim, in a second byte array: the operation whose call site
//   the core already has for the class's events (op + 1; 0: none yet), so a
//   thread whose own small memo of classes missed need not ask the
//   process-wide memo (a cache miss in a 2 MiB table) on every release:
//   10,000 lock classes taken in turn made that two misses per unlock.
#include "shim.h"
#include <sys/mman.h>

/// Whether any class is per-object: until one is, memo keys skip the scan.
_Atomic int dept_per_object_classes;

// Read inline by the hooks (shim.h): the bits, and the event sites' ops.
_Atomic(_Atomic uint8_t *) dept_class_bytes, dept_class_site_ops;

static _Atomic uint8_t *reserve(_Atomic(_Atomic uint8_t *) *array, uint32_t cls) {
    if (cls >= DEPT_MAX_HINTED_CLASSES) return 0;
    _Atomic uint8_t *b = atomic_load_explicit(array, memory_order_acquire);
    if (b) return b;
    void *p = mmap(0, DEPT_MAX_HINTED_CLASSES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return 0;
    _Atomic uint8_t *none = 0;
    if (!atomic_compare_exchange_strong(array, &none, (_Atomic uint8_t *)p)) {
        munmap(p, DEPT_MAX_HINTED_CLASSES);
        return none;
    }
    return p;
}
static _Atomic uint8_t *bytes_for(uint32_t cls) { return reserve(&dept_class_bytes, cls); }

void dept_class_mark_event_site(uint32_t cls, uint16_t op) {
    _Atomic uint8_t *b = reserve(&dept_class_site_ops, cls);
    uint8_t none = 0;
    if (b && op < 255) atomic_compare_exchange_strong_explicit(&b[cls], &none, (uint8_t)(op + 1), memory_order_relaxed,
                                                               memory_order_relaxed);
}

// Called by the core, with the core lock held (so hints never race each other).
void dept_shim_same_class_hint(uint32_t cls, uint32_t skip) {
    if (!skip && !dept_class_bits(cls)) return;
    _Atomic uint8_t *b = bytes_for(cls);
    if (!b) return;
    atomic_fetch_and(&b[cls], (uint8_t)~(DEPT_SAME_SKIP_UP | DEPT_SAME_SKIP_DOWN));
    atomic_fetch_or(&b[cls], (uint8_t)skip);
}

void dept_class_mark_published(uint32_t cls) {
    _Atomic uint8_t *b = bytes_for(cls);
    if (b) atomic_fetch_or(&b[cls], (uint8_t)DEPT_CLASS_PUBLISHED);
}

void dept_class_mark_futex_lock(uint32_t cls) {
    _Atomic uint8_t *b = bytes_for(cls);
    if (b) atomic_fetch_or(&b[cls], (uint8_t)DEPT_CLASS_FUTEX_LOCK);
}

void dept_class_mark_pthread_mutex(uint32_t cls) {
    _Atomic uint8_t *b = bytes_for(cls);
    if (b) atomic_fetch_or(&b[cls], (uint8_t)DEPT_CLASS_PTHREAD_MUTEX);
}

void dept_class_mark_cond_mutex(uint32_t cls) {
    _Atomic uint8_t *b = bytes_for(cls);
    if (b) atomic_fetch_or(&b[cls], (uint8_t)DEPT_CLASS_COND_MUTEX);
}

void dept_class_mark_per_object(uint32_t cls) {
    _Atomic uint8_t *b = bytes_for(cls);
    if (!b) return;
    atomic_fetch_or(&b[cls], (uint8_t)DEPT_CLASS_PER_OBJECT);
    atomic_store_explicit(&dept_per_object_classes, 1, memory_order_release);
}
