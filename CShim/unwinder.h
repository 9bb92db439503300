// unwinder.h - raw stack unwinding (unwinder.c); no dept state involved,
// so Benchmarks/unwind_bench.c compiles unwinder.c as it is.
#ifndef DEPT_UNWINDER_H
#define DEPT_UNWINDER_H

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
/// A library was unloaded: forget the rules of its addresses.
void dept_unwind_cfi_forget(void);
/// How many times a frame's rule was worked out instead of found in the
/// cache (for Benchmarks/unwind_bench.c: none once the stacks are warm).
unsigned long dept_unwind_cfi_derived(void);
/// Loads libunwind for dept_unwind_libunwind: 1, or 0 when libunwind8 is
/// not installed.
int dept_unwind_libunwind_load(void);

#endif
