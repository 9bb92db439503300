// signal_hooks.c - the program's handlers of asynchronous signals run
// through a wrapper, so that the model knows an event is a handler's.
//
// An event a signal handler makes (a post, a signal, a write) happens
// whenever the signal comes, also while its thread is blocked in a wait:
// it depends on none of the interrupted code's waits. A garbage
// collector's suspend handler posts its acknowledgement while its thread
// may be blocked on a lock (Boehm GC under ECL; mono's suspend handler),
// and that post, taken for one made in the lock's context, closed a cycle
// through the collector's own lock that cannot happen (model.c: dept_event).
// The kernel does not tell a hook that it runs in a handler, so the
// handlers installed through sigaction and signal run through
// handler_entry, which leaves its frame's address in the thread's record
// (for a signal from elsewhere: see raising): a hook below it on the stack
// is in the handler. A handler left by a jump (siglongjmp) leaves the
// address behind; the model drops it once a hook runs above it. Faults (and SIGABRT) are never wrapped: a program
// that handles its own SIGSEGV (a JVM's null checks) runs untouched.
#include "shim.h"
#include <signal.h>
#include <string.h>
#include <ucontext.h>

DEFINE_REAL(int, sigaction, int, const struct sigaction *, struct sigaction *)
DEFINE_REAL(__sighandler_t, signal, int, __sighandler_t)
DEFINE_REAL(int, raise, int)
DEFINE_REAL(int, pthread_kill, pthread_t, int)

// The program's handler of each wrapped signal, with its flags.
static struct {
    _Atomic(void *) fn;
    _Atomic int flags;
} program[_NSIG];

static bool wrappable(int sig) {
    return sig > 0 && sig < _NSIG && sig != SIGKILL && sig != SIGSTOP && !dept_signal_is_fault(sig);
}

// A signal a thread sends itself (raise, pthread_kill of itself) is
// handled before the call returns, at that point of its code: its
// handler's events come after what the thread holds there, as if the
// handler were called (Examples/signal_while_holding). Only a signal from
// elsewhere can come at any time.
static __thread int raising __attribute__((tls_model("initial-exec")));

DEPT_EXPORT int raise(int sig) {
    resolve_raise();
    raising++;
    int r = REAL(raise)(sig);
    raising--;
    return r;
}

DEPT_EXPORT int pthread_kill(pthread_t th, int sig) {
    resolve_pthread_kill();
    if (!pthread_equal(th, pthread_self())) return REAL(pthread_kill)(th, sig);
    raising++;
    int r = REAL(pthread_kill)(th, sig);
    raising--;
    return r;
}

#define DEPT_ALT_STACK_MIN (16u << 10)

static void handler_entry(int sig, siginfo_t *info, void *uc) {
    if (dept_spin_tls.held && sig <= 64) {
        // Inside one of dept's spin locks: later (deferred_signals.c).
        dept_spin_tls.deferred |= 1ull << (sig - 1);
        sigaddset(&((ucontext_t *)uc)->uc_sigmask, sig);
        return;
    }
    void *fn = atomic_load_explicit(&program[sig].fn, memory_order_acquire);
    struct dept_thread *t = dept_tls_thread;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    bool tracked = (uintptr_t)t > 1 && !raising;
    uintptr_t outer = tracked ? t->signal_sp : 0;
    if (tracked) t->signal_sp = here;
    // On an alternate signal stack (the kernel tells the handler which one
    // the thread set up, in its context): the hooks' end of the stack while
    // they run on it. One of less than DEPT_ALT_STACK_MIN, SIGSTKSZ's 8 KiB
    // among them, has no room for dept's model step below the kernel's
    // frame and the handler's own: the handler runs with dept's hooks
    // passed through, as if it were inside dept. A handler that posted a
    // semaphore there overwrote the heap block its stack was in
    // (hostile_altstack).
    const stack_t *alt = &((const ucontext_t *)uc)->uc_stack;
    bool on_alt = !(alt->ss_flags & SS_DISABLE) && here - (uintptr_t)alt->ss_sp < alt->ss_size;
    int guard = dept_tls_guard;
    if (on_alt) {
        dept_tls.alt_lo = (uintptr_t)alt->ss_sp;
        dept_tls.alt_size = alt->ss_size;
        if (alt->ss_size < DEPT_ALT_STACK_MIN && !guard) dept_tls_guard = DEPT_GUARD_ALTSTACK;
    }
    // With all three arguments, as the kernel calls every handler on
    // x86-64 (a one-argument handler ignores the other two): the handler
    // and its SA_SIGINFO flag, stored one after the other, can then never
    // disagree for a signal that comes while the program replaces it.
    ((void (*)(int, siginfo_t *, void *))fn)(sig, info, uc);
    dept_tls_guard = guard;
    if (tracked) t->signal_sp = outer;
}

// A hook that found the guard up: whether it is a small alternate stack's
// whose handler was left by a jump (the hook runs off that stack), and the
// hook may go on; the guard is then dropped.
bool dept_alt_guard_left(void) {
    if (dept_tls_guard != DEPT_GUARD_ALTSTACK || dept_tls_alloc_locks) return false;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (here - dept_tls.alt_lo < dept_tls.alt_size) return false;
    dept_tls_guard = 0;
    return true;
}

static void *handler_of(const struct sigaction *a) {
    return (a->sa_flags & SA_SIGINFO) ? (void *)a->sa_sigaction : (void *)a->sa_handler;
}

DEPT_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
    resolve_sigaction();
    if (!wrappable(sig)) return REAL(sigaction)(sig, act, old);
    // What the program installed before, for the old action it asks back.
    void *was_fn = atomic_load_explicit(&program[sig].fn, memory_order_acquire);
    int was_flags = atomic_load_explicit(&program[sig].flags, memory_order_relaxed);
    struct sigaction wrapped;
    const struct sigaction *use = act;
    if (act) {
        // The flags of every action the program sets, SIG_DFL's too: the
        // kernel keeps them when SA_RESETHAND puts SIG_DFL back, with the
        // SA_SIGINFO the wrapper added.
        atomic_store_explicit(&program[sig].flags, act->sa_flags, memory_order_relaxed);
        void *fn = handler_of(act);
        if (fn != (void *)SIG_DFL && fn != (void *)SIG_IGN) {
            wrapped = *act;
            wrapped.sa_sigaction = handler_entry;
            wrapped.sa_flags |= SA_SIGINFO;
            atomic_store_explicit(&program[sig].fn, fn, memory_order_release);
            use = &wrapped;
        }
    }
    struct sigaction before;
    int r = REAL(sigaction)(sig, use, old ? &before : 0);
    if (r == 0 && old) {
        *old = before;
        void *h = handler_of(&before);
        bool ours = h == (void *)handler_entry;
        // The program's handler, or SIG_DFL or SIG_IGN set by the program
        // or by the kernel's reset: the kernel's flags (glibc's SA_RESTORER
        // among them) with SA_SIGINFO as the program last set it.
        if (ours || (was_fn && (h == (void *)SIG_DFL || h == (void *)SIG_IGN)))
            old->sa_flags = (before.sa_flags & ~SA_SIGINFO) | (was_flags & SA_SIGINFO);
        if (ours && (was_flags & SA_SIGINFO)) old->sa_sigaction = (void (*)(int, siginfo_t *, void *))was_fn;
        else if (ours) old->sa_handler = (__sighandler_t)was_fn;
    }
    return r;
}

// glibc's signal(): BSD semantics (the handler stays, the signal is blocked
// while it runs, interrupted calls restart), here through sigaction above.
DEPT_EXPORT __sighandler_t signal(int sig, __sighandler_t handler) {
    if (!wrappable(sig)) {
        resolve_signal();
        return REAL(signal)(sig, handler);
    }
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, sig);
    act.sa_flags = SA_RESTART;
    if (sigaction(sig, &act, &old) < 0) return SIG_ERR;
    return (__sighandler_t)handler_of(&old);
}
