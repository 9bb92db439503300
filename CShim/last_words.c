// last_words.c - the blocked-thread dump of a process that is being ended.
//
// A stuck test is usually not left to hang: its runner's timeout sends
// SIGTERM (ctest, pytest-timeout), SIGINT, SIGQUIT, its own alarm() fires
// SIGALRM, or a watchdog thread calls exit/_exit. When that happens while
// threads have been blocked longer than hang_ms without a verdict, the
// process prints the blocked-thread dump first (each thread, what it waits
// for, what it holds, its stack), so the log explains the timeout; then the
// signal or the exit takes its course, with the same status.
//
// Signals: the handlers are installed only while threads are stuck (the
// monitor arms them) and only over the default disposition, so a program
// that looks at its dispositions (Python installs its SIGINT handler only
// over SIG_DFL) sees what it would see without dept. A handler cannot build
// the dump itself (the core allocates and takes locks the interrupted
// thread may hold): it asks the monitor thread and waits a bounded time.
//
// Exits: exit() and _exit() with a non-zero status count as a watchdog's
// when the process had been quiet (ProcessQuiet) for hang_ms: a watchdog
// waits, then ends the process. A program that computes and then fails
// (blender's exit(1) after a Python error, its idle OpenBLAS workers
// parked) is no stuck process, and a program returning from main with
// threads still parked does not get a dump either.
#include "shim.h"
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

DEPT_HIDDEN void dept_monitor_dump(const char *why);
DEPT_HIDDEN void dept_monitor_wake(void);
DEPT_HIDDEN bool dept_monitor_running(void);
DEPT_HIDDEN uint64_t dept_monitor_oldest_block(uint32_t *live);
DEPT_HIDDEN uint32_t dept_monitor_quiet_ms(void);

static const int last_signals[] = { SIGTERM, SIGINT, SIGALRM, SIGQUIT };
#define NSIGS (sizeof last_signals / sizeof last_signals[0])

static _Atomic int armed;
static _Atomic int request;          // the signal whose dump is asked for
static _Atomic uint32_t served;      // bumped when a dump is printed
static _Atomic uint32_t serving;     // bumped when the monitor begins one
static _Atomic int dumped;           // a signal's dump was printed: once is enough

static bool stuck(void) {
    return dept_monitor_oldest_block(0) >= (uint64_t)dept_config.hang_ms * 1000000ull;
}

static const char *signal_name(int sig) {
    switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGALRM: return "SIGALRM";
    case SIGQUIT: return "SIGQUIT";
    default: return "a signal";
    }
}

static void on_signal(int sig) {
    int e = errno;
    // A second signal (timeout(1) signals the program, then its group; a
    // thread other than the first handler's may take it) ends the process
    // without a second dump.
    if (!atomic_load(&dumped) && atomic_load(&armed) && dept_monitor_running() && stuck() && !dept_tls_guard) {
        uint32_t before = atomic_load(&served), began = atomic_load(&serving);
        atomic_store(&request, sig);
        dept_monitor_wake();
        // At most two seconds for the monitor to begin (it may wait for a
        // lock this very thread holds, and the process must end anyway),
        // then at most ten for the dump it began: its symbolizer runs one
        // helper process, which a loaded machine can keep for seconds, and
        // the dump is all a timed-out test leaves to read.
        struct timespec t0, now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
            struct timespec ts = { 0, 50 * 1000000L };
            syscall(SYS_futex, &served, FUTEX_WAIT_PRIVATE, before, &ts, 0, 0);
            if (atomic_load(&served) != before) break;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
            if (ms > (atomic_load(&serving) != began ? 10000 : 2000)) break;
        }
    }
    // Its course: the default action, from this thread.
    dept_raise_default(sig);
    errno = e;
}

// The default action of sig, whatever handler the program installed and
// whether or not this thread blocks it: the end a timeout or on_hang=abort
// asks for (a core dump for SIGABRT and SIGQUIT).
void dept_raise_default(int sig) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, 0);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, 0);
    raise(sig);
}

// Installs (on) or removes (off) the handlers; called by the monitor after
// each look. Only a default disposition is replaced, and only ours removed.
void dept_last_words_arm(bool on) {
    if (!dept_config.detect_hangs || atomic_load(&armed) == (int)on) return;
    atomic_store(&armed, on);
    for (size_t i = 0; i < NSIGS; i++) {
        struct sigaction cur;
        if (sigaction(last_signals[i], 0, &cur) != 0) continue;
        void *h = (cur.sa_flags & SA_SIGINFO) ? (void *)cur.sa_sigaction : (void *)cur.sa_handler;
        struct sigaction next;
        memset(&next, 0, sizeof next);
        sigemptyset(&next.sa_mask);
        if (on && h == (void *)SIG_DFL) {
            next.sa_handler = on_signal;
            next.sa_flags = SA_RESTART;
            sigaction(last_signals[i], &next, 0);
        } else if (!on && h == (void *)on_signal) {
            next.sa_handler = SIG_DFL;
            sigaction(last_signals[i], &next, 0);
        }
    }
}

bool dept_last_words_requested(void) { return atomic_load(&request) != 0; }

// The monitor thread's side of a signal's request.
void dept_last_words_serve(void) {
    int sig = atomic_exchange(&request, 0);
    if (sig) {
        atomic_fetch_add(&serving, 1);
        char why[64] = "when the process got ";
        strcat(why, signal_name(sig));
        dept_monitor_dump(why);
        atomic_store(&dumped, 1);
        // Asked again while this one was made: it answers that too.
        atomic_store(&request, 0);
    }
    atomic_fetch_add(&served, 1);
    syscall(SYS_futex, &served, FUTEX_WAKE_PRIVATE, 1 << 30, 0, 0, 0);
}

// exit/_exit/_Exit (exit_hooks.c): the dump in the exiting thread itself,
// when the exit looks like a watchdog's (a failure status) and threads are
// stuck. The caller has checked that dept is ready and that this is not a
// vfork child.
void dept_last_words_exit(int status, const char *fn) {
    if (!dept_config.detect_hangs) return;
    // Success needs no explanation: runtimes end from any thread with idle
    // workers parked in waits (BEAM calls exit(0) from a scheduler).
    if (status == 0) return;
    if (!dept_monitor_running() || !stuck()) return;
    if (dept_monitor_quiet_ms() < (uint32_t)dept_config.hang_ms) return;
    char why[64] = "when the process called ";
    strcat(why, fn);
    int e = errno;
    dept_tls_guard = 1;
    dept_monitor_dump(why);
    dept_tls_guard = 0;
    errno = e;
}

// After fork, the child is a process of its own (no monitor, no handlers
// armed on its behalf yet).
void dept_last_words_after_fork_child(void) {
    atomic_store(&armed, 0);
    atomic_store(&request, 0);
    atomic_store(&dumped, 0);
}
