// stack_capture.c - call stacks, interned in the core's depot.
//
// Captured only when something new is recorded (a new class, dependency,
// acquisition or event site), never on a known fast path. The unwinders
// themselves, and which is the default, are in unwinder.c.
#include "shim.h"
#include "unwinder.h"
#include <dlfcn.h>
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

void dept_stack_init(void) {
    find_self();
    dept_unwind_gcc_prepare();
}

int dept_shim_load_libunwind(void) { return dept_unwind_libunwind_load(); }

static int unwind(void **pcs, int max) {
    if (dept_config.unwinder == 1) return dept_unwind_libunwind(pcs, max);
    int n = dept_config.unwinder == 2 ? dept_unwind_cfi(pcs, max) : -1;
    return n >= 0 ? n : dept_unwind_gcc(pcs, max);
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
