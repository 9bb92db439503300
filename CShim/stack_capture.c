// stack_capture.c - call stacks, interned in the core's depot.
//
// Captured only when something new is recorded (a new class, dependency,
// acquisition or event site), never on a known fast path.
//
// Two unwinders. The default is the one the compiler's exception handling
// uses (_Unwind_Backtrace in libgcc_s, already loaded with the Swift
// runtime): it makes no system call and finds unwind tables with the
// lock-free _dl_find_object. libunwind (`unwinder=libunwind`) validates
// memory through a private pipe whose descriptors the host program may
// close and reuse (it then reads the program's own socket, and blocks), and
// walks the module list under the loader lock, which a thread inside dlopen
// may hold while it waits for a lock the capturing thread holds. Both are
// measured in the notes; both produce return addresses.
#include "shim.h"
#include <dlfcn.h>
#include <unwind.h>
#include <link.h>
#include <errno.h>

#define MAX_DEPTH 256

static uintptr_t self_lo, self_hi;

static void find_self(void) {
    struct dl_find_object r;
    if (_dl_find_object((void *)&find_self, &r) == 0) {
        self_lo = (uintptr_t)r.dlfo_map_start;
        self_hi = (uintptr_t)r.dlfo_map_end;
    }
}

// Neither unwinder is linked: a library linked into the preload lands in the
// global symbol scope ahead of the program's own libraries, and libunwind
// exports a full _Unwind_* ABI that would take over the host's C++
// exceptions. Each is bound through its own handle instead.
static _Unwind_Reason_Code (*gcc_backtrace)(_Unwind_Trace_Fn, void *);
static uintptr_t (*gcc_get_ip)(struct _Unwind_Context *);
static int (*libunwind_backtrace)(void **, int);

void dept_stack_init(void) {
    find_self();
    void *h = dlopen("libgcc_s.so.1", RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
    if (!h) h = dlopen("libgcc_s.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (h) {
        gcc_backtrace = (_Unwind_Reason_Code (*)(_Unwind_Trace_Fn, void *))dlsym(h, "_Unwind_Backtrace");
        gcc_get_ip = (uintptr_t (*)(struct _Unwind_Context *))dlsym(h, "_Unwind_GetIP");
    }
    if (dept_config.unwinder == 1 || !gcc_backtrace || !gcc_get_ip) {
        void *u = dlopen("libunwind.so.8", RTLD_LAZY | RTLD_LOCAL);
        if (u) libunwind_backtrace = (int (*)(void **, int))dlsym(u, "unw_backtrace");
    }
}

struct trace { void **pcs; int n, max; };

static _Unwind_Reason_Code collect(struct _Unwind_Context *ctx, void *arg) {
    struct trace *t = arg;
    uintptr_t pc = gcc_get_ip(ctx);
    if (!pc) return _URC_END_OF_STACK;
    t->pcs[t->n++] = (void *)pc;
    return t->n >= t->max ? _URC_END_OF_STACK : _URC_NO_REASON;
}

static int unwind(void **pcs, int max) {
    if (libunwind_backtrace && (dept_config.unwinder == 1 || !gcc_backtrace)) return libunwind_backtrace(pcs, max);
    if (!gcc_backtrace || !gcc_get_ip) return 0;
    struct trace t = { pcs, 0, max };
    gcc_backtrace(collect, &t);
    return t.n;
}

uint32_t dept_capture_stack(void) {
    int e = errno;
    if (!self_hi) find_self();
    void *pcs[MAX_DEPTH];
    int depth = dept_config.stack_depth > 0 ? dept_config.stack_depth : 32;
    if (depth > MAX_DEPTH - 8) depth = MAX_DEPTH - 8;
    // Capture a few extra frames: dept's own frames are dropped below.
    int n = unwind(pcs, depth + 8);
    int skip = 0;
    while (skip < n && (uintptr_t)pcs[skip] >= self_lo && (uintptr_t)pcs[skip] < self_hi) skip++;
    int keep = n - skip;
    if (keep > depth) keep = depth;
    if (keep < 0) keep = 0;     // still interned: stack ids are never 0
    dept_core_lock();
    uint32_t id = dept_core_intern_stack((const uintptr_t *)&pcs[skip], (uint32_t)keep);
    dept_core_unlock();
    errno = e;
    return id;
}

// The first `max` frames of the caller outside dept, without interning.
int dept_caller_frames(uintptr_t *out, int max) {
    if (!self_hi) find_self();
    void *pcs[40];
    int n = unwind(pcs, 40);
    int skip = 0;
    while (skip < n && (uintptr_t)pcs[skip] >= self_lo && (uintptr_t)pcs[skip] < self_hi) skip++;
    int k = 0;
    for (; k < max && skip + k < n; k++) out[k] = (uintptr_t)pcs[skip + k];
    return k;
}
