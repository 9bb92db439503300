// own_malloc.h - a program that brings its own malloc, as programs that
// link PartitionAlloc, jemalloc or tcmalloc do: a heap behind a heap lock
// of the program's own. The including example defines heap_enter() and
// heap_leave() (the lock, and whatever it does inside it).
//
// Like Chromium's allocator shim, it also defines glibc's own entry points
// (__libc_malloc, __libc_free, ...): an executable's definitions of those
// names win over glibc's for every library in the process, so whoever
// allocates "with glibc's allocator" by those names gets this one. The heap
// is a bump allocator on its own mapping (free only takes the lock), since
// glibc's allocator can no longer be reached by name.
// Used by the hostile_*allocator* examples.
#ifndef EXAMPLES_OWN_MALLOC_H
#define EXAMPLES_OWN_MALLOC_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

static void heap_enter(void);
static void heap_leave(void);

// glibc's: the size of a block glibc's allocator made before this heap
// took over (the loader's early blocks), which realloc may be handed.
extern size_t malloc_usable_size(void *);

#define HEAP_BYTES ((size_t)1 << 30)
static char *heap_base, *heap_next;

static int heap_owns(void *p) { return heap_base && (char *)p >= heap_base && (char *)p < heap_base + HEAP_BYTES; }

// A block of n bytes aligned to `align` (a power of two, at least 16), its
// size kept in the word before it.
static void *heap_take(size_t align, size_t n)
{
    if (align < 16) align = 16;
    heap_enter();
    if (!heap_base) {
        void *m = mmap(0, HEAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        heap_base = heap_next = m == MAP_FAILED ? 0 : m;
    }
    void *p = 0;
    if (heap_base) {
        uintptr_t at = ((uintptr_t)heap_next + sizeof(size_t) + align - 1) & ~(uintptr_t)(align - 1);
        if (at + n <= (uintptr_t)heap_base + HEAP_BYTES) {
            ((size_t *)at)[-1] = n;
            heap_next = (char *)(at + n);
            p = (void *)at;
        }
    }
    heap_leave();
    return p;
}

void *malloc(size_t n) { return heap_take(16, n); }
void *calloc(size_t k, size_t n) { return heap_take(16, k * n); }   // fresh pages are zero
void free(void *q)
{
    if (!q) return;
    heap_enter();
    heap_leave();
}
void *realloc(void *q, size_t n)
{
    void *p = heap_take(16, n);
    if (p && q) {
        size_t old = heap_owns(q) ? ((size_t *)q)[-1] : malloc_usable_size(q);
        memcpy(p, q, old < n ? old : n);
        free(q);
    }
    return p;
}
void *memalign(size_t a, size_t n) { return heap_take(a, n); }
void *aligned_alloc(size_t a, size_t n) { return heap_take(a, n); }
int posix_memalign(void **out, size_t a, size_t n)
{
    void *p = heap_take(a, n);
    if (!p) return 12;   // ENOMEM
    *out = p;
    return 0;
}
void *valloc(size_t n) { return heap_take(4096, n); }
void *pvalloc(size_t n) { return heap_take(4096, (n + 4095) & ~(size_t)4095); }

void *__libc_malloc(size_t n) { return malloc(n); }
void *__libc_calloc(size_t k, size_t n) { return calloc(k, n); }
void *__libc_realloc(void *q, size_t n) { return realloc(q, n); }
void *__libc_memalign(size_t a, size_t n) { return memalign(a, n); }
void __libc_free(void *q) { free(q); }
#endif
