// fiber_stacks.c - the stacks the program made contexts on (makecontext),
// so that a hook running on one knows how much of it is left.
//
// Off its thread's own stack, a hook runs on a coroutine's or fiber's,
// whose size nothing tells it, and dept's core stays off it
// (dept_stack_floor). QEMU runs its block layer in coroutines on 1 MiB
// stacks: with the core off them, 7 of the 12 dependencies of a
// `qemu-img convert` went untold. A context made by makecontext names its
// stack (uc_stack), and one that makecontext made is the only kind a
// program enters new code on with the C library's help; boost.context and
// other assembly-made contexts stay unknown. The latest contexts' stacks
// are kept: a stack freed and reused for a smaller one is found as the
// newer one first.
#include "shim.h"
#include <errno.h>
#include <ucontext.h>

#define FIBER_STACKS 256

// Each entry is written as a sequence: size 0 while lo changes, so that a
// reader never pairs one context's start with another's size.
static struct fiber_stack {
    _Atomic uintptr_t lo;
    _Atomic uintptr_t size;
} stacks[FIBER_STACKS];
static _Atomic uint32_t next_stack;

static void note(uintptr_t lo, uintptr_t size) {
    struct fiber_stack *f = &stacks[atomic_fetch_add_explicit(&next_stack, 1, memory_order_relaxed) % FIBER_STACKS];
    atomic_store_explicit(&f->size, 0, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&f->lo, lo, memory_order_relaxed);
    atomic_store_explicit(&f->size, size, memory_order_release);
}

uintptr_t dept_fiber_floor(uintptr_t here) {
    uint32_t newest = atomic_load_explicit(&next_stack, memory_order_relaxed);
    uint32_t n = newest < FIBER_STACKS ? newest : FIBER_STACKS;
    for (uint32_t k = 1; k <= n; k++) {
        struct fiber_stack *f = &stacks[(newest - k) % FIBER_STACKS];
        uintptr_t size = atomic_load_explicit(&f->size, memory_order_acquire);
        uintptr_t lo = atomic_load_explicit(&f->lo, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (!size || atomic_load_explicit(&f->size, memory_order_relaxed) != size) continue;
        if (here - lo < size) return lo;
    }
    return 0;
}

// Called by the hook below with the program's arguments still in their
// registers: notes the context's stack and finds the real makecontext.
DEPT_HIDDEN void *dept_real_makecontext;
DEPT_HIDDEN void dept_fiber_context_made(const ucontext_t *ucp) {
    int e = errno;
    if (!dept_real_makecontext) dept_real_makecontext = dept_real("makecontext", 0);
    if (ucp && ucp->uc_stack.ss_sp && ucp->uc_stack.ss_size)
        note((uintptr_t)ucp->uc_stack.ss_sp, ucp->uc_stack.ss_size);
    errno = e;
}

// makecontext takes any number of arguments for the context's function,
// which C cannot pass on: the hook saves the argument registers (and %al,
// the count of vector registers a variadic call sets), notes the stack,
// and jumps to the real one with the registers and the caller's stack as
// they came. Seven pushes keep the call's stack aligned.
__attribute__((naked)) DEPT_EXPORT void makecontext(ucontext_t *ucp, void (*fn)(void), int argc, ...) {
    __asm__ volatile(
        "push %rdi\n\t"
        "push %rsi\n\t"
        "push %rdx\n\t"
        "push %rcx\n\t"
        "push %r8\n\t"
        "push %r9\n\t"
        "push %rax\n\t"
        "call dept_fiber_context_made\n\t"
        "pop %rax\n\t"
        "pop %r9\n\t"
        "pop %r8\n\t"
        "pop %rcx\n\t"
        "pop %rdx\n\t"
        "pop %rsi\n\t"
        "pop %rdi\n\t"
        "jmp *dept_real_makecontext(%rip)\n\t");
}
