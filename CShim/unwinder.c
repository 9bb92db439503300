// unwinder.c - the two stack unwinders.
//
//   gcc (default)  _Unwind_Backtrace from libgcc_eh.a, GCC's unwinder (the
//              one C++ exceptions use), linked into libdept.so statically
//              with its symbols kept local (Package.swift), so the
//              program's own _Unwind_* are never replaced and nothing is
//              loaded at run time. It finds a pc's unwind table with glibc's
//              lock-free _dl_find_object, makes no system call, allocates
//              nothing, needs no initialisation, and stops at a frame
//              without unwind information.
//   libunwind  unw_backtrace from nongnu libunwind (libunwind8), loaded at
//              start-up with RTLD_LOCAL when `unwinder=libunwind` asks for
//              it: Debian's libunwind.a is not position-independent code
//              and cannot be linked into a shared library. It keeps a
//              per-thread cache of frame shapes, walks the module list with
//              dl_iterate_phdr (under the loader's lock) for each pc it has
//              not seen, and through a frame without unwind information
//              follows the frame-pointer chain, validating each address
//              first. Its own validation reads and writes a pipe it opened
//              at initialisation, and closes and reopens those descriptor
//              numbers when a read fails: after a program closed every
//              descriptor and reused the numbers, it would read the
//              program's socket or close its files. So its memory accessor
//              is replaced by one that validates with process_vm_readv on
//              ourselves: the pipe is never used (its two descriptors stay
//              open).
//
// Benchmarks/unwind_bench.c measures both (time per stack, -O2 code,
// signal frames, frames without unwind information); README's performance
// section has the numbers and the reason for the default.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <unwind.h>
#include "unwinder.h"

#define HIDDEN __attribute__((visibility("hidden")))

// ---- gcc ----------------------------------------------------------------

struct trace { void **pcs; int n, max; };

static _Unwind_Reason_Code collect(struct _Unwind_Context *ctx, void *arg) {
    struct trace *t = arg;
    uintptr_t pc = _Unwind_GetIP(ctx);
    if (!pc) return _URC_END_OF_STACK;
    t->pcs[t->n++] = (void *)pc;
    return t->n >= t->max ? _URC_END_OF_STACK : _URC_NO_REASON;
}

// The shim's own cleanups (cond_hooks.c, once_hooks.c; it is built with
// -fexceptions) run, when a thread is cancelled inside a hook, through the
// personality routine of this copy of GCC's unwinder, which sets registers
// with _Unwind_SetGR. That reads a table of register sizes that this copy
// fills on its first unwind, and aborts while the table is empty: with
// another unwinder doing every capture, a thread cancelled in
// pthread_cond_wait killed the process. One unwind at start-up fills it.
static _Unwind_Reason_Code stop_at_once(struct _Unwind_Context *ctx, void *arg) {
    (void)ctx;
    (void)arg;
    return _URC_END_OF_STACK;
}

HIDDEN void dept_unwind_gcc_prepare(void) { _Unwind_Backtrace(stop_at_once, 0); }

HIDDEN int dept_unwind_gcc(void **pcs, int max) {
    if (max <= 0) return 0;
    struct trace t = { pcs, 0, max };
    _Unwind_Backtrace(collect, &t);
    return t.n;
}

// ---- libunwind ----------------------------------------------------------

// The few parts of libunwind's local-only x86_64 ABI used here (its
// <libunwind.h> is not needed to build dept).
typedef uintptr_t unw_word_t;
typedef int (*unw_access_mem_fn)(void *as, unw_word_t addr, unw_word_t *val, int write, void *arg);
struct unw_accessors_prefix {
    void *find_proc_info, *put_unwind_info, *get_dyn_info_list_addr;
    unw_access_mem_fn access_mem;
};

static int (*libunwind_backtrace)(void **, int);

// Whether [addr, addr+len) can be read: one process_vm_readv from our own
// address space, which fails with EFAULT where a load would fault. Where
// the system refuses the call (seccomp), whether the pages are mapped.
static int readable(uintptr_t addr, size_t len) {
    char buf[sizeof(unw_word_t)];
    if (len > sizeof buf) len = sizeof buf;
    struct iovec local = { buf, len }, remote = { (void *)addr, len };
    long r = syscall(SYS_process_vm_readv, (long)getpid(), &local, 1L, &remote, 1L, 0L);
    if (r == (long)len) return 1;
    if (r < 0 && (errno == EPERM || errno == ENOSYS)) {
        uintptr_t page = addr & ~(uintptr_t)4095;
        size_t span = ((addr + len + 4095) & ~(uintptr_t)4095) - page;
        return msync((void *)page, span, MS_ASYNC) == 0;
    }
    return 0;
}

// libunwind passes "validate this address" as bit 0 of the accessor
// argument (AS_ARG_VALIDATE_MASK in libunwind 1.6 and 1.8); the rest is the
// context pointer, which reading memory does not need. Writes are only
// made by unw_resume, which dept never calls.
static int access_mem(void *as, unw_word_t addr, unw_word_t *val, int write, void *arg) {
    (void)as;
    if (write) {
        *(unw_word_t *)addr = *val;
        return 0;
    }
    if (((uintptr_t)arg & 1) && !readable(addr, sizeof(unw_word_t))) return -1;
    *val = *(unw_word_t *)addr;
    return 0;
}

HIDDEN int dept_unwind_libunwind_load(void) {
    if (libunwind_backtrace) return 1;
    void *h = dlopen("libunwind.so.8", RTLD_LAZY | RTLD_LOCAL);
    if (!h) return 0;
    void *(*get_accessors)(void *) = (void *(*)(void *))dlsym(h, "_Ux86_64_get_accessors");
    void **local_as = (void **)dlsym(h, "_ULx86_64_local_addr_space");
    int (*bt)(void **, int) = (int (*)(void **, int))dlsym(h, "unw_backtrace");
    if (!get_accessors || !local_as || !bt) return 0;
    // Runs libunwind's one-time initialisation (which opens its pipe), then
    // swaps the accessor before the first unwind.
    struct unw_accessors_prefix *acc = get_accessors(*local_as);
    if (!acc) return 0;
    acc->access_mem = access_mem;
    libunwind_backtrace = bt;
    return 1;
}

HIDDEN int dept_unwind_libunwind(void **pcs, int max) {
    if (max <= 0 || !libunwind_backtrace) return 0;
    int n = libunwind_backtrace(pcs, max);
    return n > 0 ? n : 0;
}
