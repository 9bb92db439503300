// unwinder.h - raw stack unwinding (unwinder.c); no dept state involved,
// so Benchmarks/unwind_bench.c compiles unwinder.c as it is.
#ifndef DEPT_UNWINDER_H
#define DEPT_UNWINDER_H
#include <stdbool.h>
#include <stdint.h>

/// Return addresses of the calling thread's stack, innermost first (the
/// unwinder's own frames included): at most max; the count.
int dept_unwind_gcc(void **pcs, int max);
/// Readies GCC's unwinder for the shim's own cleanups (see unwinder.c);
/// once, at start-up, whatever the unwinder in use.
void dept_unwind_gcc_prepare(void);
int dept_unwind_libunwind(void **pcs, int max);
/// The same as dept_unwind_gcc for stacks of ordinary frames, from a cache
/// of frame rules (cfi_unwinder.c); -1 for a stack it does not follow,
/// which dept_unwind_gcc then unwinds.
int dept_unwind_cfi(void **pcs, int max);
/// What a walk of dept_unwind_cfi read to find its frames: where it started
/// (the stack pointer, return address and frame pointer above the walker's
/// own frame) and each word it read and used, as an offset from that stack
/// pointer in words and its value. The walk is a function of these: started at the
/// same place with the same words there, it reads the same words at the same
/// places (each address follows from the words before it) and finds the
/// same frames. So a proof that still holds stands for its walk's result,
/// and checking it reads a subset of what that walk would read now.
#define DEPT_WALK_CHECKS 48
struct dept_walk_proof {
    uintptr_t sp, pc, rbp;
    uint32_t gen;        // the rules' generation (dept_unwind_cfi_forget)
    int16_t max;         // the walk's limit; 0: no proof (too long to keep)
    uint8_t rbp_used;    // whether the starting frame pointer mattered
    uint8_t nchecks;
    uint16_t at[DEPT_WALK_CHECKS];   // words above sp (below 2^15)
    uintptr_t word[DEPT_WALK_CHECKS];
};
/// A proven walk and what its frames were interned as.
struct dept_walk_memo {
    struct dept_walk_proof proof;
    uint32_t id;
};
/// dept_unwind_cfi, with memos: when one of the nmemos walks (a thread's
/// recent ones) still holds from here, returns -2 and its index in *slot;
/// otherwise walks as dept_unwind_cfi does and writes its proof into
/// memos[*slot] (max 0 when it cannot be kept), whose id the caller sets
/// once it has interned the frames.
int dept_unwind_cfi_memo(void **pcs, int max, struct dept_walk_memo *memos, int nmemos, int *slot);
/// dept_unwind_cfi_memo's walk from a given frame: pc the return address
/// into it, sp the stack pointer after that return, rbp the frame pointer
/// then. Without memos (NULL), dept_unwind_cfi's.
int dept_unwind_cfi_from(void **pcs, int max, uintptr_t rbp, uintptr_t pc, uintptr_t sp,
                         struct dept_walk_memo *memos, int nmemos, int *slot);
/// The frame whose return address is pc finds its CFA at a fixed offset
/// from its stack pointer (no frame pointer, no signal frame): the offset,
/// under 4 KiB, in *cfa_off.
bool dept_unwind_cfi_sp_rule(uintptr_t pc, uint32_t *cfa_off);
/// Whether two return addresses lie in one function, as its unwind
/// information tells (false when either has none).
bool dept_same_function(uintptr_t a, uintptr_t b);
/// Whether return address pc follows a call inside a function the unwind
/// tables describe (so its code is mapped and readable).
bool dept_return_in_code(uintptr_t pc);
/// A library was unloaded: forget the rules of its addresses.
void dept_unwind_cfi_forget(void);
/// How many times a frame's rule was worked out instead of found in the
/// cache (for Benchmarks/unwind_bench.c: none once the stacks are warm).
unsigned long dept_unwind_cfi_derived(void);
/// Loads libunwind for dept_unwind_libunwind: 1, or 0 when libunwind8 is
/// not installed.
int dept_unwind_libunwind_load(void);

#endif
