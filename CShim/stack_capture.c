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

// dept's own frames leave a stack wherever they are: the hook and the
// capture at its top, and below the program's code the wrappers dept runs
// it in (main's, which flushes the report at exit; a thread's start
// routine's). They are found by address, not by file name: a copy of the
// library loaded under another name (a versioned install, a test's copy)
// showed main's wrapper below main, and named a class first used in main
// after it (first-use@exit_hooks.c:48). Returns the frames kept, moved to
// the front.
static int drop_own_frames(void **pcs, int n) {
    int k = 0;
    for (int i = 0; i < n; i++)
        if ((uintptr_t)pcs[i] < self_lo || (uintptr_t)pcs[i] >= self_hi) pcs[k++] = pcs[i];
    return k;
}

static int unwind(void **pcs, int max) {
    if (dept_config.unwinder == 1) return dept_unwind_libunwind(pcs, max);
    int n = dept_config.unwinder == 2 ? dept_unwind_cfi(pcs, max) : -1;
    return n >= 0 ? n : dept_unwind_gcc(pcs, max);
}

// With the default unwinder, a thread's recent walks are kept with their
// proofs (unwinder.h): a capture whose walk still holds is its stack, with
// no unwinding and no trip to the depot. New situations met one after
// another at one call site (a loop taking a lock of a new class each time,
// each class's first release) capture the same stack again and again:
// scale_classes' first round did 40k captures of a handful of stacks. The
// oldest walk makes room for a new one.
uint32_t dept_capture_stack(void) {
    int e = errno;
    if (!self_hi) find_self();
    void *pcs[MAX_DEPTH];
    int depth = dept_config.stack_depth > 0 ? dept_config.stack_depth : 32;
    if (depth > MAX_DEPTH - 8) depth = MAX_DEPTH - 8;
    // Inside dept (the guard is up): the record itself, if the thread has one.
    struct dept_thread *t = dept_config.unwinder == 2 && (uintptr_t)dept_tls_thread > 1 ? dept_tls_thread : 0;
    int n, slot = -1;
    // Capture a few extra frames: dept's own frames are dropped.
    if (t) {
        slot = (int)(t->walk_next % DEPT_WALK_MEMOS);
        n = dept_unwind_cfi_memo(pcs, depth + 8, t->walk_memo, DEPT_WALK_MEMOS, &slot);
        if (n == -2) {
            errno = e;
            return t->walk_memo[slot].id;
        }
        t->walk_next++;
        if (n < 0) n = dept_unwind_gcc(pcs, depth + 8);
    } else {
        n = unwind(pcs, depth + 8);
    }
    int keep = drop_own_frames(pcs, n);
    if (keep > depth) keep = depth;
    if (keep < 0) keep = 0;     // still interned: stack ids are never 0
    dept_core_lock();
    uint32_t id = dept_core_intern_stack((const uintptr_t *)pcs, (uint32_t)keep);
    dept_core_unlock();
    if (t) t->walk_memo[slot].id = id;
    errno = e;
    return id;
}

// The first `max` frames of the caller outside dept, without interning.
int dept_caller_frames(uintptr_t *out, int max) {
    if (!self_hi) find_self();
    void *pcs[40];
    int n = drop_own_frames(pcs, unwind(pcs, 40));
    int k = 0;
    for (; k < max && k < n; k++) out[k] = (uintptr_t)pcs[k];
    return k;
}
