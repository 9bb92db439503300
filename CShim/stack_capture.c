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
    int depth = dept_config.stack_depth > 0 ? dept_config.stack_depth : 32;
    if (depth > MAX_DEPTH - 8) depth = MAX_DEPTH - 8;
    // As deep as asked, not MAX_DEPTH: 2 KiB less under every capture, on
    // threads with 16 KiB of stack in all (hostile_small_stack).
    void *pcs[depth + 8];
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

// dept_caller_frames for a hook called from return address pc, without
// walking dept's own frames by their unwind rules: dept's code keeps frame
// pointers, so the chain of saved frame pointers leads, through dept's
// frames only (each return address inside dept), to the frame the program's
// call made, whose return address is pc; the walk starts there. A lock
// wrapper's every acquisition comes here (lock_sites.c): walking dept's five
// or six frames by their rules, and twenty in all, was four fifths of it.
// With memos (a thread's, *slot the one to replace), a walk that still holds
// from there is not made again: -2, and its memo in *slot; otherwise *slot
// is left as it was when the walk was proven and written there, else -1.
// Any other shape (a frame without its pointer, another unwinder chosen)
// takes dept_caller_frames.
static const uintptr_t *program_frame(const uintptr_t *fp, uintptr_t pc) {
    if (!self_hi) find_self();
    for (int hops = 0; hops < 12 && fp; hops++) {
        uintptr_t ret = fp[1];
        if (ret == pc) return fp;
        // Only dept's own frames are followed: a frame pointer saved by the
        // program's code may be any value.
        if (ret < self_lo || ret >= self_hi) return 0;
        const uintptr_t *up = (const uintptr_t *)fp[0];
        if (up <= fp || (uintptr_t)up - (uintptr_t)fp > (64u << 10) || ((uintptr_t)up & 7)) return 0;
        fp = up;
    }
    return 0;
}

__attribute__((noinline)) uintptr_t dept_program_sp(uintptr_t pc) {
    const uintptr_t *fp = program_frame(__builtin_frame_address(0), pc);
    return fp ? (uintptr_t)(fp + 2) : 0;
}

__attribute__((noinline)) int dept_caller_frames_at(uintptr_t pc, uintptr_t *out, int max,
                                                    struct dept_walk_memo *memos, int nmemos, int *slot) {
    if (max > 24) max = 24;
    const uintptr_t *fp = dept_config.unwinder == 2 ? program_frame(__builtin_frame_address(0), pc) : 0;
    if (fp) {
        void *pcs[24];
        int n = dept_unwind_cfi_from(pcs, max, fp[0], pc, (uintptr_t)(fp + 2), memos, nmemos, slot);
        if (n == -2) return -2;
        if (memos && (n < 0 || !memos[*slot].proof.max)) *slot = -1;
        if (n >= 0) {
            for (int k = 0; k < n; k++) out[k] = (uintptr_t)pcs[k];
            return n;
        }
    }
    if (slot) *slot = -1;
    return dept_caller_frames(out, max);
}

// The first `max` frames of the caller outside dept, without interning.
// The walk goes as far as those frames and dept's own above them: a lock
// wrapper's acquisition (lock_sites.c) makes one each time.
int dept_caller_frames(uintptr_t *out, int max) {
    if (!self_hi) find_self();
    void *pcs[40];
    if (max > 24) max = 24;
    int n = drop_own_frames(pcs, unwind(pcs, max + 16));
    int k = 0;
    for (; k < max && k < n; k++) out[k] = (uintptr_t)pcs[k];
    return k;
}
