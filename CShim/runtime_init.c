// runtime_init.c - start-up, real functions, the core lock, fork and exit.
#include "shim.h"
#include "clocks.h"
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>

_Atomic int dept_ready;
_Atomic int dept_disabled;
struct dept_config dept_config = {
    .detect_potential = 1, .detect_hangs = 1, .stack_depth = 32, .verbosity = 1,
    .hang_ms = 1000, .stall_ms = 10000, .exitcode = 66, .on_hang = 1, .unwinder = 2,
};

DEPT_HIDDEN void dept_registry_init(void);
DEPT_HIDDEN void dept_stack_init(void);
DEPT_HIDDEN void dept_registry_atfork(int phase);
DEPT_HIDDEN void dept_registry_after_fork_child(void);

struct dept_config *dept_shim_config(void) { return &dept_config; }

void *dept_real(const char *name, const char *version) {
    int g = dept_tls_guard;
    dept_tls_guard = 1;
    void *p = version ? dlvsym(RTLD_NEXT, name, version) : dlsym(RTLD_NEXT, name);
    dept_tls_guard = g;
    return p;
}

// ---- core lock (spin_lock.h). Held only around calls into the
// Swift core, which do bounded work and never call back into the loader.
static DEPT_LONE(dept_spin) core_flag = { DEPT_SPIN_INIT };

// The core may make system calls (output, mmap); the caller's errno is
// saved here and restored by dept_core_unlock, so hooks need not.
static __thread int saved_errno __attribute__((tls_model("initial-exec")));

// The core's share of a fork (forgetting the parent's other threads) is
// done by the child's first core call, not by dept's child handler: the
// core allocates, and that handler runs before the program's own (dept
// registers first), while an allocator that holds its lock across fork
// (Chromium's PartitionAlloc, jemalloc, tcmalloc) has not released it yet.
// The child runs one thread until its handlers have returned.
static bool forked_core_pending;
static uint32_t forked_survivor;

// A program's asynchronous signals stay blocked while a thread holds the
// core lock (and a moment before and after), once the process has more
// than one thread. A garbage collector stops the world with a signal whose
// handler waits, in sigsuspend, until the collector restarts it: stopped
// inside the core, a thread kept the core lock, and the collector's own
// next hook waited for that lock (mono hung so: its finaliser stopped in
// the core, its main thread in a sem_wait for the acknowledgements). Now
// the signal waits until the thread has left the core, a bounded time.
// The faults stay deliverable (a crash in dept still reaches its
// handlers), and a lone thread has nobody to stop it.
static sigset_t core_signals;          // filled once; the same every time
static _Atomic int core_signals_ready;
static sigset_t core_saved_mask;       // the holder's mask before; under the core lock
static bool core_masked;               // whether the holder blocked them; under the core lock

static void core_take(void) {
    if (UNLIKELY(!atomic_load_explicit(&core_signals_ready, memory_order_acquire))) {
        sigset_t s;
        sigfillset(&s);
        for (int sig = 1; sig < _NSIG; sig++)
            if (dept_signal_is_fault(sig)) sigdelset(&s, sig);
        core_signals = s;
        atomic_store_explicit(&core_signals_ready, 1, memory_order_release);
    }
    bool mask = !dept_one_thread();
    sigset_t before;
    if (mask) pthread_sigmask(SIG_BLOCK, &core_signals, &before);
    dept_spin_take(&core_flag.v);
    core_masked = mask;
    if (mask) core_saved_mask = before;
}

static void core_drop(void) {
    bool mask = core_masked;
    sigset_t before;
    if (mask) before = core_saved_mask;
    dept_spin_drop(&core_flag.v);
    if (mask) pthread_sigmask(SIG_SETMASK, &before, NULL);
}

void dept_core_lock(void) {
    saved_errno = errno;
    core_take();
    if (UNLIKELY(forked_core_pending)) {
        forked_core_pending = false;
        dept_core_after_fork_child(forked_survivor);
    }
}
static _Atomic int pending_output;
static dept_spin report_flag = DEPT_SPIN_INIT;

// Releasing the core lock is where queued reports get printed: outside the
// lock, so symbolization (loader, helper process) never runs under it.
void dept_core_unlock(void) {
    int e = saved_errno;
    core_drop();
    if (UNLIKELY(atomic_load_explicit(&pending_output, memory_order_relaxed))) {
        atomic_store(&pending_output, 0);
        dept_core_flush();
    }
    errno = e;
}
void dept_shim_mark_pending(void) { atomic_store(&pending_output, 1); }
void dept_shim_core_lock(void) { dept_core_lock(); }
void dept_shim_core_unlock_noflush(void) { core_drop(); }
void dept_shim_report_lock(void) {
    dept_spin_take(&report_flag);
}
void dept_shim_report_unlock(void) { dept_spin_drop(&report_flag); }

// ---- fork -------------------------------------------------------------
DEPT_HIDDEN void dept_objects_atfork(int phase);
DEPT_HIDDEN void dept_monitor_after_fork_child(void);

// dept's locks are held from the end of the prepare handlers to the start
// of the parent and child handlers: dept's handlers are the first
// registered (below), so its prepare handler runs after every other one and
// its parent and child handlers before. Other libraries' handlers then run
// with dept's locks free: OpenBLAS's prepare handler joins its workers,
// whose way out takes locks through dept's hooks (R's mclapply hung when
// dept's prepare handler ran first); jemalloc's locks and inits mutexes.
// Whether this thread holds them: a fork before dept_init (another
// library's constructor) finds the handlers registered and does nothing.
static __thread bool fork_held __attribute__((tls_model("initial-exec")));

// What hooks need done in every child (exit_hooks.c: the child's pid),
// registered at start-up; run first in the child's step, whichever way
// the child was made (fork, or clone_hooks.c), and also in a child of a
// fork made before dept was ready.
#define FORK_CHILD_CALLBACKS 4
static void (*fork_child_callbacks[FORK_CHILD_CALLBACKS])(void);
static _Atomic int nfork_child_callbacks;

void dept_on_fork_child(void (*fn)(void)) {
    int i = atomic_fetch_add(&nfork_child_callbacks, 1);
    if (i < FORK_CHILD_CALLBACKS) fork_child_callbacks[i] = fn;
}

void dept_fork_prepare(void) {
    if (!atomic_load_explicit(&dept_ready, memory_order_acquire)) return;
    fork_held = true;
    dept_tls_guard = 1;
    dept_shim_report_lock();
    dept_registry_atfork(0);
    dept_objects_atfork(0);
    dept_sync_atfork(0);
    dept_clocks_atfork(0);
    dept_core_lock();
}
void dept_fork_parent(void) {
    if (!fork_held) return;
    fork_held = false;
    dept_shim_core_unlock_noflush();
    dept_clocks_atfork(1);
    dept_sync_atfork(1);
    dept_objects_atfork(1);
    dept_registry_atfork(1);
    dept_shim_report_unlock();
    dept_tls_guard = 0;
}
void dept_fork_child(void) {
    int n = atomic_load(&nfork_child_callbacks);
    for (int i = 0; i < n && i < FORK_CHILD_CALLBACKS; i++) fork_child_callbacks[i]();
    if (!fork_held) return;
    fork_held = false;
    int g = 0;
    dept_tls_guard = 1;
    dept_shim_core_unlock_noflush();
    dept_clocks_atfork(1);
    dept_sync_atfork(1);
    dept_objects_atfork(1);
    dept_registry_after_fork_child();
    dept_monitor_after_fork_child();
    dept_last_words_after_fork_child();
    dept_shim_report_unlock();
    struct dept_thread *t = dept_tls_thread;
    forked_survivor = (uintptr_t)t > 1 ? t->tid : 0;
    forked_core_pending = true;
    dept_tls_guard = g;
}

// pthread_atfork is __register_atfork (libc_nonshared.a). A library the
// program links against is initialised before the preloaded one, so its
// constructor registers before dept_init could: the first registration
// anyone makes registers dept's handlers first.
DEPT_HIDDEN extern void *__dso_handle;
DEFINE_REAL(int, __register_atfork, void (*)(void), void (*)(void), void (*)(void), void *)
static _Atomic int fork_handlers;   // 0 none, 1 registering, 2 registered

static void register_fork_handlers(void) {
    resolve___register_atfork();
    int none = 0;
    if (atomic_compare_exchange_strong(&fork_handlers, &none, 1)) {
        if (real___register_atfork) real___register_atfork(dept_fork_prepare, dept_fork_parent, dept_fork_child, __dso_handle);
        atomic_store(&fork_handlers, 2);
    }
    while (atomic_load(&fork_handlers) != 2) sched_yield();
}

DEPT_EXPORT int __register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void), void *dso) {
    register_fork_handlers();
    if (UNLIKELY(!real___register_atfork)) return ENOMEM;
    return real___register_atfork(prepare, parent, child, dso);
}

// ---- exit -------------------------------------------------------------
// Runs after the program's own atexit handlers (registered later), before
// stdio is torn down. A reported deadlock turns a successful exit into
// `exitcode`, as sanitizers do. A status of the program's own that is not
// 0 is kept: it already fails a CI step, and some carry a meaning the
// caller acts on (LibreOffice's soffice.bin exits 81 to have its launcher
// start it again: replaced by 66, the launcher gave up and no document was
// converted). ThreadSanitizer's _exit keeps a non-zero status too.
DEPT_HIDDEN void dept_monitor_at_exit(void);

// The process ends: what the core holds back is queued, then everything
// queued is printed.
static void flush_at_end(void) {
    dept_core_lock();
    dept_core_release_held_back();
    dept_shim_core_unlock_noflush();
    dept_core_flush();
}

static void at_exit(int status, void *arg) {
    (void)arg;
    int g = dept_tls_guard; dept_tls_guard = 1;
    dept_monitor_at_exit();
    flush_at_end();
    dept_core_lock();
    dept_core_exiting(status);
    int32_t code = dept_core_at_exit(dept_tentative_dropped(), dept_short_stack_skips());
    dept_shim_core_unlock_noflush();
    if (code && (status & 0xff) == 0) {   // exit(256) ends the process with 0
        fflush(NULL);
        _exit(code);   // still guarded: this exit is dept's, not a watchdog's
    }
    dept_tls_guard = g;
}

// Main returned or exit() was called, and no exit handler has run yet
// (exit_hooks.c): what the core queued is printed while the program's
// objects are all still there. An exec is about to end every thread of the
// process, and what the core held back for more evidence would be lost
// with the image: it is judged here as at an exit (an exec that then fails
// has printed it all the same).
void dept_flush_before_teardown(void) {
    int e = errno;
    dept_tls_guard = 1;
    flush_at_end();
    dept_tls_guard = 0;
    errno = e;
}

// _exit/_Exit skip the exit handlers, where the exit line is written, and
// where what the core held back is printed: a cycle held back for the
// order of its objects (a lock cycle through a class the program nests)
// would otherwise be lost by every process that ends with _exit.
void dept_exiting_without_handlers(int status) {
    int e = errno;
    dept_tls_guard = 1;
    flush_at_end();
    dept_core_lock();
    dept_core_exiting(status);
    dept_shim_core_unlock_noflush();
    dept_tls_guard = 0;
    errno = e;
}

// The code whose locks are passed through untracked (dept_untracked_site):
// a malloc that lives in a shared library of its own, and the Swift runtime
// of a Swift program (found by its exported swift_retain; libdept.so's own
// copy is local and never found this way).
static void find_untracked_code(void) {
    struct dl_find_object r;
    void *swift = dlsym(RTLD_DEFAULT, "swift_retain");
    if (swift && _dl_find_object(swift, &r) == 0) {
        dept_swiftrt_lo = (uintptr_t)r.dlfo_map_start;
        dept_swiftrt_span = (uintptr_t)r.dlfo_map_end - (uintptr_t)r.dlfo_map_start;
    }
    void *m = dlsym(RTLD_DEFAULT, "malloc");
    struct dl_find_object libc, exe, a;
    if (m && _dl_find_object(m, &a) == 0 && _dl_find_object((void *)&getenv, &libc) == 0
        && a.dlfo_map_start != libc.dlfo_map_start
        // Not inside the program itself: that would pass all its locks through.
        && !(_dl_find_object((void *)getauxval(AT_ENTRY), &exe) == 0 && exe.dlfo_map_start == a.dlfo_map_start)) {
        dept_alloc_lo = (uintptr_t)a.dlfo_map_start;
        dept_alloc_span = (uintptr_t)a.dlfo_map_end - (uintptr_t)a.dlfo_map_start;
    }
}

__attribute__((constructor))
static void dept_init(void) {
    int saved = errno;
    dept_tls_guard = 1;
    dept_core_heap_init();
    const char *opts = getenv("DEPT_OPTIONS");
    find_untracked_code();
    dept_registry_init();
    dept_core_lock();
    dept_core_init(opts ? opts : "", &dept_config);
    dept_core_unlock();
    dept_stack_init();
    register_fork_handlers();
    on_exit(at_exit, 0);
    dept_tls_guard = 0;
    atomic_store_explicit(&dept_ready, 1, memory_order_release);
    errno = saved;
}

const char *dept_shim_symbol_at(uintptr_t addr, uintptr_t *symbol_addr) {
    Dl_info info;
    if (!dladdr((void *)addr, &info) || !info.dli_sname) return 0;
    *symbol_addr = (uintptr_t)info.dli_saddr;
    return info.dli_sname;
}

const char *dept_shim_symbol_holding(uintptr_t addr, uintptr_t *symbol_addr) {
    Dl_info info;
    const ElfW(Sym) *sym = 0;
    if (!dladdr1((void *)addr, &info, (void **)&sym, RTLD_DL_SYMENT) || !info.dli_sname || !sym) return 0;
    uintptr_t start = (uintptr_t)info.dli_saddr;
    // dladdr answers with the nearest symbol below, which for a static
    // function of a stripped module is some unrelated exported one.
    if (addr < start || (sym->st_size ? addr >= start + sym->st_size : addr != start)) return 0;
    *symbol_addr = start;
    return info.dli_sname;
}

const char *dept_shim_self_path(void) {
    Dl_info info;
    if (!dladdr((void *)&dept_shim_self_path, &info) || !info.dli_fname) return 0;
    return info.dli_fname;
}
