// own_malloc.h - a program that brings its own malloc, as programs that
// link PartitionAlloc, jemalloc or tcmalloc do: glibc's allocator behind a
// heap lock of the program's own. The including example defines
// heap_enter() and heap_leave() (the lock, and whatever it does inside it).
// Used by the hostile_*allocator* examples.
#ifndef EXAMPLES_OWN_MALLOC_H
#define EXAMPLES_OWN_MALLOC_H
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static void heap_enter(void);
static void heap_leave(void);

void *malloc(size_t n) { heap_enter(); void *p = __libc_malloc(n); heap_leave(); return p; }
void *calloc(size_t k, size_t n) { heap_enter(); void *p = __libc_calloc(k, n); heap_leave(); return p; }
void *realloc(void *q, size_t n) { heap_enter(); void *p = __libc_realloc(q, n); heap_leave(); return p; }
void free(void *q) { if (!q) return; heap_enter(); __libc_free(q); heap_leave(); }
void *memalign(size_t a, size_t n) { heap_enter(); void *p = __libc_memalign(a, n); heap_leave(); return p; }
void *aligned_alloc(size_t a, size_t n) { return memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n)
{
    void *p = memalign(a, n);
    if (!p) return 12;   // ENOMEM
    *out = p;
    return 0;
}
void *valloc(size_t n) { return memalign(4096, n); }
void *pvalloc(size_t n) { return memalign(4096, (n + 4095) & ~(size_t)4095); }
#endif
