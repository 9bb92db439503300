// futex_hooks.c - syscall(SYS_futex, ...) in the model. Locks and events
// built directly on futexes (Swift's Synchronization.Mutex, libdispatch,
// libstdc++'s counting_semaphore / latch / barrier / atomic::wait, Rust's
// std locks) never call a pthread function; their slow paths call libc's
// syscall(). glibc's own primitives make their futex calls inline, never
// through syscall(), so nothing here sees them twice.
//   FUTEX_WAIT, FUTEX_WAIT_BITSET     = [W] on the futex word (timed when
//                                       given a timeout)
//   FUTEX_WAKE, _WAKE_BITSET, _WAKE_OP, _REQUEUE, _CMP_REQUEUE(_PI)
//                                     = [E] of the word
//   FUTEX_LOCK_PI, FUTEX_LOCK_PI2     = [W] then [S]: a lock whose owner is
//                                       the TID in its word
//   FUTEX_TRYLOCK_PI                  = [S]
//   FUTEX_UNLOCK_PI                   = [E]
//   FUTEX_WAIT_REQUEUE_PI             = [W] on the word, then [S] of the PI
//                                       lock it is requeued to
// Only the contended paths make a system call: a futex lock taken or
// released without contention is invisible, so a cycle among futex locks is
// found when both acquisitions were contended. A held futex lock stays
// held while its word names the thread (checked before each use), so a
// release in user space is noticed. When FUTEX_LOCK_PI fails with EDEADLK
// the kernel has proven a deadlock: it is reported at once, before the
// program (Swift's Mutex: "Recursive call to lock Mutex") dies of it.
// A futex without FUTEX_PRIVATE_FLAG may be woken by another process: such
// waits are never proven stuck.
#include "model_door.h"
#include "annotate.h"
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEPT_STR2(x) #x
#define DEPT_STR(x) DEPT_STR2(x)

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

/// libc's syscall(), once looked up (the interposer below jumps to it).
DEPT_HIDDEN syscall_fn dept_real_syscall;

DEPT_HIDDEN void dept_monitor_check_now(void);

syscall_fn dept_syscall_real(void) {
    syscall_fn f = __atomic_load_n(&dept_real_syscall, __ATOMIC_RELAXED);
    if (UNLIKELY(!f)) {
        f = (syscall_fn)dept_real("syscall", 0);
        __atomic_store_n(&dept_real_syscall, f, __ATOMIC_RELAXED);
    }
    return f;
}

// Whether this futex call is the program's own business: not inside another
// intercepted wait (an annotated lock's slow path), not on a word its
// annotations describe, not from the Swift runtime's own locks.
static bool tracked(uintptr_t uaddr, uintptr_t pc) {
    if (UNLIKELY(dept_untracked_site(pc))) return false;
    struct dept_thread *t = dept_current();
    if (!t) return true;       // dept_enter decides (not set up yet, or inside dept)
    if (atomic_load_explicit(&t->blocked_since, memory_order_relaxed)) return false;
    struct dept_obj_ref o;
    return !(dept_obj_find(uaddr, &o) && dept_annotated_class(o.cls));
}

static __attribute__((noinline)) long futex_call(long *a, uintptr_t pc) {
    syscall_fn real = dept_syscall_real();
    uintptr_t uaddr = (uintptr_t)a[0];
    int op = (int)a[1];
    int cmd = op & FUTEX_CMD_MASK;
    uint32_t shared = (op & FUTEX_PRIVATE_FLAG) ? 0 : DEPT_DOOR_PSHARED;
    uint32_t timed = a[3] ? DEPT_DOOR_TIMED : 0;
    struct dept_door_wait w;
    long r;
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
        if (!tracked(uaddr, pc)) break;
        dept_door_wait_begin(&w, uaddr, DEPT_OBJ_FUTEX, DEPT_OP_FUTEX_WAIT, timed | shared, pc);
        r = real(SYS_futex, a[0], a[1], a[2], a[3], a[4], a[5]);
        dept_door_wait_end(&w);
        dept_door_futex_woken(&w);
        return r;
    case FUTEX_WAIT_REQUEUE_PI:
        if (!tracked(uaddr, pc)) break;
        dept_door_wait_begin(&w, uaddr, DEPT_OBJ_FUTEX, DEPT_OP_FUTEX_WAIT, timed | shared, pc);
        r = real(SYS_futex, a[0], a[1], a[2], a[3], a[4], a[5]);
        dept_door_wait_end(&w);
        if (r == 0 && w.t)
            dept_door_ecxt_enter((uintptr_t)a[4], DEPT_OBJ_FUTEX_PI, DEPT_OP_LOCK, DEPT_DOOR_FUTEX | timed, w.stack, pc);
        return r;
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
    case FUTEX_CMP_REQUEUE_PI:
        if (tracked(uaddr, pc)) dept_door_event(uaddr, DEPT_OBJ_FUTEX, DEPT_OP_FUTEX_WAKE, 0, pc);
        break;
    case FUTEX_WAKE_OP:
        if (tracked(uaddr, pc)) dept_door_event(uaddr, DEPT_OBJ_FUTEX, DEPT_OP_FUTEX_WAKE, 0, pc);
        if (tracked((uintptr_t)a[4], pc)) dept_door_event((uintptr_t)a[4], DEPT_OBJ_FUTEX, DEPT_OP_FUTEX_WAKE, 0, pc);
        break;
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
        if (!tracked(uaddr, pc)) break;
        dept_door_wait_begin(&w, uaddr, DEPT_OBJ_FUTEX_PI, DEPT_OP_LOCK,
                             DEPT_DOOR_LOCK | DEPT_DOOR_PI | timed | shared, pc);
        r = real(SYS_futex, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (UNLIKELY(r == -1 && errno == EDEADLK) && w.t) {
            // The kernel walked the owner chain back to this thread. Still
            // marked blocked in this wait, so the live analysis sees the
            // whole cycle.
            int e = errno;
            dept_monitor_check_now();
            errno = e;
        }
        dept_door_wait_end(&w);
        if (r == 0 && w.t) dept_door_ecxt_enter(uaddr, DEPT_OBJ_FUTEX_PI, DEPT_OP_LOCK, DEPT_DOOR_FUTEX | timed, w.stack, pc);
        return r;
    case FUTEX_TRYLOCK_PI:
        if (!tracked(uaddr, pc)) break;
        r = real(SYS_futex, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r == 0) dept_door_ecxt_enter(uaddr, DEPT_OBJ_FUTEX_PI, DEPT_OP_TRYLOCK, DEPT_DOOR_FUTEX | DEPT_DOOR_TRY, 0, pc);
        return r;
    case FUTEX_UNLOCK_PI:
        if (!tracked(uaddr, pc)) break;
        r = real(SYS_futex, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r == 0) dept_door_ecxt_exit(uaddr, DEPT_OP_UNLOCK, pc);
        return r;
    default:
        break;
    }
    return real(SYS_futex, a[0], a[1], a[2], a[3], a[4], a[5]);
}

// syscall(): libc's takes six long arguments after the number and reads
// all six whatever the caller passed, as the futex path does. Any number
// but SYS_futex costs one compare and a jump to libc's: arguments, errno
// and result are untouched (the first call looks libc's up).
DEPT_HIDDEN long dept_syscall_futex(long n, long a1, long a2, long a3, long a4, long a5, long a6);
DEPT_HIDDEN long dept_syscall_first(long n, long a1, long a2, long a3, long a4, long a5, long a6);

long dept_syscall_futex(long n, long a1, long a2, long a3, long a4, long a5, long a6) {
    (void)n;
    long a[6] = { a1, a2, a3, a4, a5, a6 };
    return futex_call(a, CALLER_PC());
}

long dept_syscall_first(long n, long a1, long a2, long a3, long a4, long a5, long a6) {
    return dept_syscall_real()(n, a1, a2, a3, a4, a5, a6);
}

/// The system calls dept_syscall_clone takes: the clones, and fork where
/// the architecture has it. Not vfork: its child would return through
/// dept's frame on the stack its sleeping parent then returns through.
static inline bool dept_makes_task(long n) {
#ifdef SYS_fork
    if (n == SYS_fork) return true;
#endif
    return n == SYS_clone || n == SYS_clone3;
}

#if defined(__x86_64__)
// By hand, so that the way through is a compare and a jump (the compiler
// would save registers for the futex path first). %al, set by the caller of
// a variadic function, and the seventh argument on the stack reach libc's
// syscall() as the caller left them.
__asm__(
    ".text\n"
    ".globl syscall\n"
    ".type syscall, @function\n"
    "syscall:\n"
    "    cmpq $" DEPT_STR(SYS_futex) ", %rdi\n"
    "    je dept_syscall_futex\n"
    "    cmpq $" DEPT_STR(SYS_clone) ", %rdi\n"
    "    je dept_syscall_clone\n"
    "    cmpq $" DEPT_STR(SYS_clone3) ", %rdi\n"
    "    je dept_syscall_clone\n"
    "    cmpq $" DEPT_STR(SYS_fork) ", %rdi\n"
    "    je dept_syscall_clone\n"
    "    movq dept_real_syscall(%rip), %r11\n"
    "    testq %r11, %r11\n"
    "    jz dept_syscall_first\n"
    "    jmp *%r11\n"
    ".size syscall, .-syscall\n");
#else
DEPT_EXPORT long dept_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6) __asm__("syscall");
long dept_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6) {
    if (UNLIKELY(dept_makes_task(n))) return dept_syscall_clone(n, a1, a2, a3, a4, a5, a6);
    if (LIKELY(n != SYS_futex)) return dept_syscall_real()(n, a1, a2, a3, a4, a5, a6);
    return dept_syscall_futex(n, a1, a2, a3, a4, a5, a6);
}
#endif
