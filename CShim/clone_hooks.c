// clone_hooks.c - processes made without fork(): glibc's clone() and the
// clone system calls made through syscall().
//
// fork() runs the pthread_atfork handlers, among them dept's, which hold
// dept's locks across the copy (runtime_init.c). clone() and a raw clone
// system call run none: the child is a copy of memory taken at any moment
// of the other threads' work, and a lock dept held in one of them (its
// object table's, its core's) is copied held, with no thread left in the
// child to let it go. The child's first lock then waits forever. Sandboxes
// and launchers make their processes this way (Chromium's, to give the
// child new namespaces), and they do it while other threads run.
//
// A clone that makes a process is one without CLONE_VM (the child gets a
// copy of memory) and without CLONE_SETTLS (its thread pointer, and with
// it dept's per-thread words, stays the caller's). It gets the fork steps
// around it: prepare before, then the parent's step in the parent and the
// child's step in the child before anything else runs there. Every other
// clone (a thread, vfork's shared memory, posix_spawn) passes through
// untouched, as does any clone before dept is ready (prepare does nothing
// then).
//
// Except one with CLONE_VFORK: its caller sleeps until the child execs or
// exits, and the fork steps would hold dept's locks all that time. Every
// other thread of the parent then waits at its next hook, and a child
// that waits for one of them before it execs (a pipe it reads) never
// gets there. Such a child is made with no fork step, and in it dept
// stands aside: its one thread keeps the guard, so every hook passes
// through until exec loads dept afresh (or _exit ends it). Whatever the
// copy caught half-done in dept's tables is never read.
#include "shim.h"
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <errno.h>
#include <sys/syscall.h>

#define PROCESS_FLAGS_NONE (CLONE_VM | CLONE_SETTLS | CLONE_THREAD)

static bool makes_process(uint64_t flags) { return !(flags & PROCESS_FLAGS_NONE); }
static bool parent_sleeps(uint64_t flags) { return flags & CLONE_VFORK; }

// In a child of such a clone (see above): dept is not there for it.
static void stand_aside(void) { dept_tls_guard = 1; }

typedef int (*clone_fn)(int (*)(void *), void *, int, void *, ...);
static clone_fn real_clone;

// Looked up at start-up, so that a clone does not enter dlsym (a clone
// before this constructor looks it up then).
__attribute__((constructor)) static void clone_hooks_init(void) { real_clone = (clone_fn)dept_real("clone", 0); }

// The child's entry: the caller's function and argument, read from the
// parent's memory as it was copied (the child has its own copy).
struct clone_call {
    int (*fn)(void *);
    void *arg;
};

static int child_entry(void *p) {
    const struct clone_call *c = p;
    dept_fork_child();
    return c->fn(c->arg);
}

static int vfork_child_entry(void *p) {
    const struct clone_call *c = p;
    stand_aside();
    return c->fn(c->arg);
}

DEPT_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...) {
    // The optional arguments are read whether or not the caller passed
    // them, as glibc's clone does: it uses each only with its flag.
    va_list ap;
    va_start(ap, arg);
    pid_t *parent_tid = va_arg(ap, pid_t *);
    void *tls = va_arg(ap, void *);
    pid_t *child_tid = va_arg(ap, pid_t *);
    va_end(ap);
    if (UNLIKELY(!real_clone)) real_clone = (clone_fn)dept_real("clone", 0);
    if (!makes_process((uint32_t)flags) || !fn) return real_clone(fn, stack, flags, arg, parent_tid, tls, child_tid);
    struct clone_call call = { fn, arg };
    if (parent_sleeps((uint32_t)flags)) return real_clone(vfork_child_entry, stack, flags, &call, parent_tid, tls, child_tid);
    dept_fork_prepare();
    int r = real_clone(child_entry, stack, flags, &call, parent_tid, tls, child_tid);
    // The child never returns here: it starts in child_entry.
    int e = errno;
    dept_fork_parent();
    errno = e;
    return r;
}

// syscall(SYS_clone, SYS_clone3 or SYS_fork, ...), from futex_hooks.c's
// syscall():
// the child returns from the system call like the parent, on a copy of
// the same stack when the caller gave none (with a stack of its own, the
// child cannot return through C code: passed through, as libc would).
long dept_syscall_clone(long n, long a1, long a2, long a3, long a4, long a5, long a6) {
    syscall_fn real = dept_syscall_real();
    uint64_t flags = (uint64_t)a1, stack = (uint64_t)a2;
    if (n == SYS_clone3) {
        // struct clone_args: flags first, the stack sixth (of eight in the
        // first version, which every caller's size covers).
        const uint64_t *ca = (const uint64_t *)a1;
        if (!ca || (size_t)a2 < 8 * sizeof *ca) return real(n, a1, a2, a3, a4, a5, a6);
        flags = ca[0];
        stack = ca[5];
    }
#ifdef SYS_fork
    // fork is the clone that makes a process with a copy of memory. TSan's
    // fork_deadlock test forks by syscall(SYS_fork) while another thread
    // allocates: its child inherited dept's core lock held by the monitor
    // thread and spun in it at exit (39 of 400 runs).
    if (n == SYS_fork) { flags = SIGCHLD; stack = 0; }
#endif
    if (!makes_process(flags) || stack) return real(n, a1, a2, a3, a4, a5, a6);
    if (parent_sleeps(flags)) {
        long r = real(n, a1, a2, a3, a4, a5, a6);
        if (r == 0) stand_aside();
        return r;
    }
    dept_fork_prepare();
    long r = real(n, a1, a2, a3, a4, a5, a6);
    int e = errno;
    if (r == 0) dept_fork_child();
    else dept_fork_parent();
    errno = e;
    return r;
}
