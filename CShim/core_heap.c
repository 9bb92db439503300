// core_heap.c - the heap of dept's core: glibc's allocator, never the
// program's.
//
// The Swift core allocates (its dictionaries, arrays, reports) through
// malloc, free and posix_memalign while it holds the core lock. Resolved
// the usual way, those are the program's when it brings its own allocator
// (Chromium's PartitionAlloc, jemalloc or tcmalloc linked into the
// executable), whose lock dept cannot tell from any other: a thread inside
// the core then waits in malloc for the allocator's lock, while the thread
// that holds that lock, or is releasing it and must wake the waiter, waits
// for the core lock in one of dept's hooks (a mutex inside the allocator,
// the futex wake of its unlock). Chromium's renderers and browser stopped
// that way. These hidden definitions bind the core's calls, at link time,
// to the functions below; nothing else in libdept.so sees them.
//
// Below them is glibc's allocator, looked up in libc.so.6 itself. Linking
// to glibc's own names (__libc_malloc, ...) is not enough: Chromium's
// executable defines those names too, to route every allocation of the
// process to PartitionAlloc, and an executable's definition wins over
// libc's for every library's reference, versioned or not. A lookup in
// libc's handle only searches libc. glibc's allocator takes only its own
// internal locks, never calls back into the program, and fork() resets
// those locks in the child.
#include "shim.h"
#include <dlfcn.h>
#include <errno.h>
#include <gnu/lib-names.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

struct heap_calls {
    void *(*malloc)(size_t);
    void *(*memalign)(size_t, size_t);
    void (*free)(void *);
};
static struct heap_calls heap;
static _Atomic int heap_ready;

// At start-up, before the core's first call (dept_init). Falls back to the
// linked names when libc cannot be asked (a static glibc has no handle):
// then no executable can have replaced them either.
void dept_core_heap_init(void) {
    if (atomic_load_explicit(&heap_ready, memory_order_acquire)) return;
    struct heap_calls h = { __libc_malloc, __libc_memalign, __libc_free };
    void *libc = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);
    if (libc) {
        void *m = dlsym(libc, "__libc_malloc"), *a = dlsym(libc, "__libc_memalign"), *f = dlsym(libc, "__libc_free");
        if (m && a && f) {
            h.malloc = (void *(*)(size_t))m;
            h.memalign = (void *(*)(size_t, size_t))a;
            h.free = (void (*)(void *))f;
        }
        // Not closed: libc stays loaded for the process's life, and
        // dlclose is one of dept's own hooks.
    }
    heap = h;
    atomic_store_explicit(&heap_ready, 1, memory_order_release);
}

static inline const struct heap_calls *calls(void) {
    if (UNLIKELY(!atomic_load_explicit(&heap_ready, memory_order_acquire))) dept_core_heap_init();
    return &heap;
}

DEPT_HIDDEN void *malloc(size_t n) { return calls()->malloc(n); }
DEPT_HIDDEN void free(void *p) { calls()->free(p); }
DEPT_HIDDEN int posix_memalign(void **out, size_t align, size_t n) {
    void *p = calls()->memalign(align, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
