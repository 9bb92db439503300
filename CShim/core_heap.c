// core_heap.c - the heap of dept's core: glibc's allocator, never the
// program's.
//
// The Swift core allocates (its dictionaries, arrays, reports) through
// malloc, posix_memalign and free. Resolved the usual way, those are the
// program's when it brings its own allocator (Chromium's PartitionAlloc,
// jemalloc or tcmalloc linked into the executable), whose lock dept cannot
// tell from any other: a thread that holds that lock and waits on a
// contended futex enters dept and waits for the core lock, while the thread
// holding the core lock waits in malloc for the allocator's lock. Chromium's
// renderers stopped that way. These hidden definitions bind the core's
// calls, at link time, to glibc's own entry points, which the program's
// allocator does not replace and whose locks fork() itself resets in the
// child. Nothing else in libdept.so sees them (hidden: not exported), and
// the core frees only memory it allocated here.
#include "shim.h"
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

DEPT_HIDDEN void *malloc(size_t n) { return __libc_malloc(n); }
DEPT_HIDDEN void free(void *p) { __libc_free(p); }
DEPT_HIDDEN int posix_memalign(void **out, size_t align, size_t n) {
    void *p = __libc_memalign(align, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
