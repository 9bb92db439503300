// hang_monitor.c - notices threads blocked in intercepted waits and asks the
// core to analyse the live state (DESIGN §3, "actual hang").
//
// The monitor thread is created on the first blocking wait, not at start-up.
// It sleeps on a futex while no thread is blocked; a thread that blocks
// while the monitor is disarmed arms and wakes it. Armed, it looks at the
// threads a few times per second; once nobody is blocked it disarms again.
// So a program that never blocks pays nothing, and one that blocks briefly
// pays a wake-up per quiet period.
#include "shim.h"
#include "dept_libc.h"
#include <dirent.h>
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <time.h>
#include <sched.h>
#include <unistd.h>

_Atomic int dept_monitor_armed;
static _Atomic int monitor_started;
static _Atomic uint32_t monitor_word;
static int32_t monitor_os_tid;

DEPT_HIDDEN struct dept_thread *dept_registry_first(void);
DEPT_HIDDEN void dept_sync_foreach(void (*fn)(struct dept_sync *, void *), void *arg);

uint64_t dept_coarse_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void futex_wait(_Atomic uint32_t *w, uint32_t val, long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, ms >= 0 ? &ts : 0, 0, 0);
}

// Snapshot buffers, reused between checks (the monitor is the only user).
static struct dept_live_thread *snap;
static uint32_t snap_cap;
static struct dept_held *held_buf;
static size_t held_cap;
static struct dept_waker *wakers;
static uint32_t wakers_cap, nwakers;

static void *grow(void *old, size_t old_bytes, size_t new_bytes) {
    void *p = mmap(0, new_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 0;
    if (old) { memcpy(p, old, old_bytes); munmap(old, old_bytes); }
    return p;
}

static void add_waker(uint32_t inst, uint32_t tid, uint32_t kind) {
    if (!tid) return;
    if (nwakers == wakers_cap) {
        uint32_t n = wakers_cap ? wakers_cap * 2 : 256;
        struct dept_waker *w = grow(wakers, wakers_cap * sizeof *wakers, n * sizeof *wakers);
        if (!w) return;
        wakers = w; wakers_cap = n;
    }
    wakers[nwakers++] = (struct dept_waker){ inst, tid, kind };
}

// A binary semaphore that no taker has posted yet is not known to be a
// lock: its holder is not its only waker (a gate that main closes and
// another thread opens), and the hang analysis must not read the hold as
// ownership, or the opener's delay past hang_ms is a deadlock.
static void collect_waker(struct dept_sync *s, void *arg) {
    (void)arg;
    add_waker(s->inst, atomic_load(&s->holder),
              atomic_load(&s->lock_proven) ? DEPT_WAKER_HOLDER : DEPT_WAKER_UNPROVEN_HOLDER);
    add_waker(s->inst, atomic_load(&s->triggered_by[0]), DEPT_WAKER_TRIGGER);
    add_waker(s->inst, atomic_load(&s->triggered_by[1]), DEPT_WAKER_TRIGGER);
}

// Threads of the process we do not track (created before the preload was
// ready, by raw clone, ...): they could wake the others, so they forbid a
// "hang" verdict.
static uint32_t count_tasks(void) {
    DIR *d = opendir("/proc/self/task");
    if (!d) return 0;
    uint32_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

// The start of /proc/self/task/<os_tid><file> (file: up to 14 bytes), NUL-
// terminated in buf; false when it cannot be read or is empty.
static bool read_task_file(int32_t os_tid, const char *file, char *buf, size_t size) {
    static const char dir[] = "/proc/self/task/";
    char path[48], digits[12];
    int nd = 0;
    for (uint32_t v = (uint32_t)os_tid; nd == 0 || v; v /= 10) digits[nd++] = (char)('0' + v % 10);
    size_t len = sizeof dir - 1;
    memcpy(path, dir, len);
    while (nd) path[len++] = digits[--nd];
    memcpy(path + len, file, strlen(file) + 1);
    int fd = dept_libc_open_read(path);
    if (fd < 0) return false;
    ssize_t got = dept_libc_read(fd, buf, size - 1);
    dept_libc_close(fd);
    if (got <= 0) return false;
    buf[got] = 0;
    return true;
}

// The decimal number s starts with (0 when none).
static long leading_number(const char *s) {
    long v = 0;
    for (; *s >= '0' && *s <= '9'; s++) v = v * 10 + (*s - '0');
    return v;
}

// Whether the thread is blocked in a system call that waits for input on a
// descriptor (a socket, a pipe, a terminal; poll and epoll on them): it
// waits for the world outside the process (x86_64 numbers; "running" or an
// unreadable file says no).
static bool thread_waits_for_input(int32_t os_tid) {
    char buf[24];
    if (!read_task_file(os_tid, "/syscall", buf, sizeof buf) || buf[0] < '0' || buf[0] > '9') return false;
    switch (leading_number(buf)) {
    case SYS_read: case SYS_readv: case SYS_recvfrom: case SYS_recvmsg: case SYS_recvmmsg:
    case SYS_accept: case SYS_accept4: case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
    case SYS_epoll_wait: case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
    case SYS_epoll_pwait2:
#endif
        return true;
    default:
        return false;
    }
}

// Whether a thread of the process, the monitor aside, waits for input on a
// descriptor (HangAnalysis: then the process is idle, waiting for a
// client, not stopped). It reads a file per thread until it finds one, so
// a quiet server of thousands of threads would spend its idle time here:
// the answer is kept for a second.
static uint64_t input_asked_ns;
static bool input_answer;
static bool process_waits_for_input(void) {
    uint64_t now = dept_coarse_now_ns();
    if (input_asked_ns && now - input_asked_ns < 1000000000ull) return input_answer;
    input_asked_ns = now;
    input_answer = false;
    DIR *d = opendir("/proc/self/task");
    if (!d) return false;
    struct dirent *e;
    while (!input_answer && (e = readdir(d))) {
        long tid = leading_number(e->d_name);
        if (tid > 0 && tid != monitor_os_tid && thread_waits_for_input((int32_t)tid)) input_answer = true;
    }
    closedir(d);
    return input_answer;
}

static int stall_active;

static dept_spin check_flag = DEPT_SPIN_INIT;
static bool check_locked(bool proven);

// Returns whether any thread is blocked. The monitor, the exiting thread and
// a thread the kernel found deadlocked may all look: one at a time (the
// snapshot buffers are shared). `proven`: the caller knows a deadlock exists
// now (FUTEX_LOCK_PI failed with EDEADLK): analyse at once, and only a
// deadlock verdict counts.
static bool check(bool proven) {
    dept_spin_take(&check_flag);
    bool r = check_locked(proven);
    dept_spin_drop(&check_flag);
    return r;
}

// The longest time (ns) a live thread has been blocked, and how many live
// threads there are. Reads only atomics: a signal handler may call it.
uint64_t dept_monitor_oldest_block(uint32_t *live_out) {
    uint64_t now = dept_coarse_now_ns(), oldest = 0;
    uint32_t live = 0;
    for (struct dept_thread *t = dept_registry_first(); t; t = t->next_all) {
        if (!atomic_load(&t->live)) continue;
        live++;
        uint64_t since = atomic_load_explicit(&t->blocked_since, memory_order_acquire);
        if (since && now > since && now - since > oldest) oldest = now - since;
    }
    if (live_out) *live_out = live;
    return oldest;
}

static bool any_blocked(void) {
    for (struct dept_thread *t = dept_registry_first(); t; t = t->next_all)
        if (atomic_load(&t->live) && atomic_load_explicit(&t->blocked_since, memory_order_acquire)) return true;
    return false;
}

// Priority-inheritance futex locks taken without contention were never seen
// taken; their words name the owner. A thread blocked on such a lock waits
// for the thread its word names: that owner is given a held entry for it in
// the snapshot (and held futex entries are taken from the words alone).
struct pi_owner { uintptr_t obj; int32_t os_tid; uint32_t cls, inst; };
static struct pi_owner *pi_owners;
static uint32_t pi_cap, npi;

static void collect_pi_owners(void) {
    npi = 0;
    for (struct dept_thread *t = dept_registry_first(); t; t = t->next_all) {
        if (!atomic_load(&t->live) || !atomic_load_explicit(&t->blocked_since, memory_order_acquire)) continue;
        if (!(t->blocked_timed & DEPT_BLOCK_PI)) continue;
        int32_t owner;
        if (!dept_futex_owner(t->blocked_obj, &owner) || owner == 0) continue;
        if (npi == pi_cap) {
            uint32_t n = pi_cap ? pi_cap * 2 : 64;
            struct pi_owner *p = grow(pi_owners, pi_cap * sizeof *pi_owners, n * sizeof *pi_owners);
            if (!p) return;
            pi_owners = p; pi_cap = n;
        }
        pi_owners[npi++] = (struct pi_owner){ t->blocked_obj, owner, t->blocked_cls, t->blocked_inst };
    }
}

// Whether the kernel has the thread asleep (state S or D). A wait we
// recorded as blocked may already be over in the kernel: the thread was
// woken (the lock released, the signal sent) but has not run since. On a
// loaded machine that lasts long enough for the thread that woke it to
// finish and exit, and the woken one would look stuck with nobody left to
// wake it: a false hang, and on_hang=exit would end a healthy process.
// When the state cannot be read, the books are trusted.
static bool kernel_asleep(int32_t os_tid) {
    char buf[128];
    if (!read_task_file(os_tid, "/stat", buf, sizeof buf)) return true;
    // "tid (comm) S ...": comm may hold spaces and parentheses.
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ' || !p[2]) return true;
    return p[2] == 'S' || p[2] == 'D';
}

// Copies every live thread's blocked wait and held contexts into the
// snapshot buffers; returns how many threads it holds (0 if out of memory).
// `ask_kernel`: a wait counts only if the kernel has its thread asleep (for
// the verdicts that rest on how long waits have lasted; a deadlock the
// kernel just proved, or last words, take the books as they are: a thread
// that only now enters its wait is still in the picture).
static uint32_t take_snapshot(uint32_t live, uint32_t *untracked, bool ask_kernel) {
    uint64_t now = dept_coarse_now_ns();
    uint32_t n = 0;
    size_t nh = 0;
    if (snap_cap < live + 16) {
        uint32_t c = (live + 16) * 2;
        struct dept_live_thread *s = grow(0, 0, c * sizeof *s);
        if (!s) return 0;
        if (snap) munmap(snap, snap_cap * sizeof *snap);
        snap = s; snap_cap = c;
    }
    collect_pi_owners();
    struct dept_thread *self = dept_tls_thread;
    for (struct dept_thread *t = dept_registry_first(); t && n < snap_cap; t = t->next_all) {
        if (!atomic_load(&t->live)) continue;
        struct dept_live_thread *s = &snap[n];
        memset(s, 0, sizeof *s);
        uint64_t since = atomic_load_explicit(&t->blocked_since, memory_order_acquire);
        s->tid = t->tid;
        s->os_tid = t->os_tid;
        if (since) {
            s->blocked_ms = now > since ? (now - since) / 1000000ull : 0;
            s->blocked = 1;
            s->cls = t->blocked_cls; s->inst = t->blocked_inst; s->stack = t->blocked_stack;
            s->op = t->blocked_op; s->awaits = t->blocked_awaits; s->timed = t->blocked_timed;
        }
        uint32_t h = t->nheld;
        if (h > t->held_cap) h = t->held_cap;
        if (nh + h + npi > held_cap) {
            size_t c = (nh + h + npi) * 2 + 64;
            struct dept_held *b = grow(held_buf, held_cap * sizeof *held_buf, c * sizeof *held_buf);
            if (!b) return 0;
            held_buf = b; held_cap = c;
        }
        memcpy(&held_buf[nh], t->held, h * sizeof *held_buf);
        uint32_t kept = 0;
        for (uint32_t i = 0; i < h; i++)
            if (!(held_buf[nh + i].flags & (DEPT_HELD_FUTEX | DEPT_HELD_HANDED))) held_buf[nh + kept++] = held_buf[nh + i];
        for (uint32_t i = 0; i < npi; i++)
            if (pi_owners[i].os_tid == t->os_tid)
                held_buf[nh + kept++] = (struct dept_held){ .obj = pi_owners[i].obj, .cls = pi_owners[i].cls,
                                                            .inst = pi_owners[i].inst, .mode = DEPT_EV_EXCL,
                                                            .op = DEPT_OP_LOCK, .count = 1, .flags = DEPT_HELD_FUTEX };
        s->held_offset = (uint32_t)nh;
        s->nheld = kept;
        nh += kept;
        // A wait that ended (or changed) while we copied is not blocked, nor
        // one the kernel already ended (its thread woken, not yet run). The
        // calling thread is running by definition.
        if (since && atomic_load_explicit(&t->blocked_since, memory_order_acquire) != since) s->blocked = 0;
        if (ask_kernel && s->blocked && t != self && !(s->timed & DEPT_BLOCK_SPINS) && !kernel_asleep(t->os_tid))
            s->blocked = 0;
        n++;
    }
    nwakers = 0;
    dept_sync_foreach(collect_waker, 0);
    uint32_t tasks = count_tasks();
    *untracked = tasks > live + 1 ? tasks - live - 1 : 0;
    return n;
}

// The CPU time (ns) the process has used outside the monitor thread, whose
// own looks and reports are no progress of the program's; UINT64_MAX when
// the clocks cannot be read. A thread's CPU clock is named by its kernel
// thread ID (the kernel's per-thread clock encoding, which glibc's
// pthread_getcpuclockid also uses), so any thread may read the monitor's.
static uint64_t others_cpu_ns(void) {
    struct timespec p, m = { 0, 0 };
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p)) return UINT64_MAX;
    // Read after the process's: what the monitor ran in between is not
    // counted as the program's.
    int32_t mon = monitor_os_tid;
    if (mon > 0 && clock_gettime((clockid_t)((~(uint32_t)mon << 3) | 6), &m)) m = (struct timespec){ 0, 0 };
    uint64_t all = (uint64_t)p.tv_sec * 1000000000ull + (uint64_t)p.tv_nsec;
    uint64_t own = (uint64_t)m.tv_sec * 1000000000ull + (uint64_t)m.tv_nsec;
    return all > own ? all - own : 0;
}

// What the last look measured of the process's quiet (ProcessQuiet), for
// an exit's last words (last_words.c). UINT32_MAX: not measured.
static _Atomic uint32_t last_quiet_ms = UINT32_MAX;
DEPT_HIDDEN uint32_t dept_monitor_quiet_ms(void) { return atomic_load_explicit(&last_quiet_ms, memory_order_relaxed); }

static bool check_locked(bool proven) {
    uint32_t live = 0;
    uint64_t oldest = dept_monitor_oldest_block(&live);
    bool any = any_blocked();
    bool stuck = oldest >= (uint64_t)dept_config.hang_ms * 1000000ull;
    // Every look samples the process's CPU time, so the quiet before a wait
    // is stuck counts towards a stall too.
    uint32_t quiet_ms = UINT32_MAX;
    if (!proven) {
        uint64_t cpu = others_cpu_ns();
        if (cpu != UINT64_MAX) quiet_ms = dept_core_quiet_sample(cpu, dept_coarse_now_ns());
        atomic_store_explicit(&last_quiet_ms, quiet_ms, memory_order_relaxed);
    }
    // Nothing to decide before a wait has lasted hang_ms (unless a stall
    // warning is pending its "resolved" line, or the kernel proved a deadlock).
    if (!stall_active && !proven) {
        if (!any) { dept_last_words_arm(false); return false; }
        if (!stuck) { dept_last_words_arm(false); return true; }
    }
    uint32_t untracked = 0;
    uint32_t n = take_snapshot(live, &untracked, !proven);
    if (!n) return true;
    // Asked only when a stall could be due: it reads a file per thread.
    bool input_wait = !proven && quiet_ms != UINT32_MAX && quiet_ms >= (uint32_t)dept_config.stall_ms
                      && oldest >= (uint64_t)dept_config.stall_ms * 1000000ull && process_waits_for_input();
    dept_core_lock();
    int32_t verdict = dept_core_live_check(snap, n, held_buf, untracked, wakers, nwakers, proven ? 1 : 0, quiet_ms,
                                           input_wait ? 1 : 0);
    dept_core_unlock();   // prints what the check queued
    if (!proven) {
        stall_active = verdict == DEPT_VERDICT_STALL;
        // Threads blocked past hang_ms without a verdict: if a timeout ends
        // the process now, its log should say why.
        dept_last_words_arm(stuck && verdict != DEPT_VERDICT_DEADLOCK && verdict != DEPT_VERDICT_HANG);
    }
    if ((verdict == DEPT_VERDICT_DEADLOCK || verdict == DEPT_VERDICT_HANG) && dept_config.on_hang != 0) {
        if (dept_config.on_hang == 2) {
            // A core dump of the stuck process.
            dept_raise_default(SIGABRT);
            _exit(128 + SIGABRT);
        }
        fflush(NULL);
        _exit(dept_config.exitcode ? dept_config.exitcode : 1);
    }
    return any || stall_active;
}

// How long the monitor, idle in a process down to one thread, waits before
// it goes (leave): long enough that a program which starts and joins
// threads in batches does not start a monitor per batch.
#define ALONE_MS 1000

// How many threads other than `self` (NULL: none) run. A process that dept
// sees with one thread is never given a second one by the monitor: programs
// check that they are single-threaded before they fork (Chromium's zygote
// dies of a CHECK when /proc/self/task lists more than itself, and
// seccomp/namespace sandboxes refuse a multi-threaded process), so a
// preloaded tool must not change that answer. What a lone thread waits for
// can only come from a signal handler or another process. Only a lone
// thread that waits for a lock it holds (its entry for this acquisition is
// pushed before it blocks, so the lock is held twice) is stuck for sure:
// that one still gets the monitor and its live report.
static uint32_t live_besides(const struct dept_thread *self) {
    uint32_t n = 0;
    for (struct dept_thread *t = dept_registry_first(); t; t = t->next_all)
        n += t != self && atomic_load_explicit(&t->live, memory_order_relaxed);
    return n;
}

// The program is down to one thread: the monitor goes, so that the process
// is single-threaded again, as it would be without dept (a program that
// used a pool at start-up may check that before it forks or unshares a
// user namespace). The program's next pthread_create starts a new one
// (dept_monitor_company). False when a kick or a new thread came in
// between and the monitor must stay: it clears monitor_started first and
// looks at the kick's flag and the word (`word`: its value when the monitor
// found itself alone; dept_monitor_company bumps it) after, so either the
// newcomer sees it gone (and starts another, if it may) or the monitor sees
// the newcomer (and takes monitor_started back, unless a new monitor has
// it already).
static bool leave(uint32_t word) {
    atomic_store(&monitor_started, 0);
    if (!atomic_load(&dept_monitor_armed) && atomic_load(&monitor_word) == word) return true;
    return atomic_exchange(&monitor_started, 1) != 0;
}

static void *monitor_main(void *arg) {
    (void)arg;
    dept_tls_thread = (struct dept_thread *)1;   // every hook passes through
    dept_tls_guard = 1;
    monitor_os_tid = (int32_t)syscall(SYS_gettid);
    prctl(PR_SET_NAME, "dept-monitor", 0, 0, 0);
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, 0);
    for (;;) {
        if (dept_last_words_requested()) { dept_last_words_serve(); continue; }
        if (!atomic_load(&dept_monitor_armed)) {
            // A thread that blocked before this monitor existed found none
            // to wake (dept_monitor_kick disarms again), and waits on
            // without kicking anew: a worker that blocks before its
            // creator's pthread_create has returned (and started us) was
            // never watched, so a timeout ended the process without its
            // dump. Every look while disarmed asks the threads themselves.
            if (any_blocked()) { atomic_store(&dept_monitor_armed, 1); continue; }
            uint32_t word = atomic_load(&monitor_word);
            futex_wait(&monitor_word, word, ALONE_MS);
            if (atomic_load(&monitor_word) == word && !atomic_load(&dept_monitor_armed) && live_besides(0) <= 1
                && leave(word))
                return 0;
            continue;
        }
        long period = dept_config.hang_ms / 4;
        if (period < 20) period = 20;
        if (period > 250) period = 250;
        futex_wait(&monitor_word, atomic_load(&monitor_word), period);
        if (!check(false)) {
            atomic_store(&dept_monitor_armed, 0);
            // A thread may have blocked between the check and the disarm.
            if (check(false)) atomic_store(&dept_monitor_armed, 1);
        }
    }
    return 0;
}

// Held twice: a lock hook pushes its entry before it blocks. Held once
// below the top: a wait that pushes its entry only once it returns (the
// annotation API's lock waits).
static bool waits_for_itself(const struct dept_thread *t) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->nheld; i++) n += t->held[i].obj == t->blocked_obj;
    return n >= 2 || (n == 1 && t->held[t->nheld - 1].obj != t->blocked_obj);
}

// Creating a thread allocates (glibc's pthread_create takes the new
// thread's TLS vector from the program's calloc), so the monitor is
// started only where the program itself may allocate. Not in a wait: a
// wait hook may run inside the program's allocator, whose lock slow path
// (tcmalloc's SpinLock, PartitionAlloc's) waits through a futex that
// dept's syscall() hook models; pigz with tcmalloc preloaded crashed in
// tcmalloc's calloc, re-entered from the monitor's pthread_create in 3 of
// 20 runs.
static void start(void) {
    if (atomic_exchange(&monitor_started, 1)) return;
    int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) =
        (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))dept_real("pthread_create", 0);
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1 << 20);
    if (!create || create(&th, &attr, monitor_main, 0) != 0) atomic_store(&monitor_started, 0);
    pthread_attr_destroy(&attr);
}

// The program has just made a thread (thread_hooks.c): it has company, and
// it was allocating itself. A kick that finds the monitor gone later
// (after a second alone) waits for the next of these.
void dept_monitor_company(void) {
    if (!dept_config.detect_hangs) return;
    atomic_fetch_add(&monitor_word, 1);   // a monitor about to leave stays (leave)
    if (atomic_load(&monitor_started)) return;
    int g = dept_tls_guard;
    dept_tls_guard = 1;
    start();
    dept_tls_guard = g;
}

void dept_monitor_kick(void) {
    if (atomic_exchange(&dept_monitor_armed, 1)) return;
    int g = dept_tls_guard;
    dept_tls_guard = 1;
    struct dept_thread *self = dept_tls_thread;
    if (!atomic_load(&monitor_started)) {
        // The one start in a wait: a lone thread waiting for a lock it
        // holds is stuck for good, whatever it was inside.
        if ((uintptr_t)self > 1 && !live_besides(self) && waits_for_itself(self)) {
            start();
        } else {
            // Disarmed again: the next wait asks anew.
            atomic_store(&dept_monitor_armed, 0);
            dept_tls_guard = g;
            return;
        }
    }
    atomic_fetch_add(&monitor_word, 1);
    syscall(SYS_futex, &monitor_word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
    dept_tls_guard = g;
}

// The blocked-thread dump for last words (last_words.c): a snapshot handed
// to the core with why the process is going.
DEPT_HIDDEN void dept_monitor_dump(const char *why) {
    dept_spin_take(&check_flag);
    uint32_t live = 0, untracked = 0;
    dept_monitor_oldest_block(&live);
    uint32_t n = take_snapshot(live, &untracked, false);
    if (n) {
        dept_core_lock();
        dept_core_live_dump(snap, n, held_buf, untracked, wakers, nwakers, why);
        dept_core_unlock();   // prints it
    }
    dept_spin_drop(&check_flag);
}

// Wakes the monitor thread (a signal handler asks it for the dump).
DEPT_HIDDEN void dept_monitor_wake(void) {
    atomic_fetch_add(&monitor_word, 1);
    syscall(SYS_futex, &monitor_word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
}

DEPT_HIDDEN bool dept_monitor_running(void) { return atomic_load(&monitor_started); }

// At exit: a stall still open gets its last look (the stalled threads may
// have been woken just before the end), so its "resolved" line is printed.
DEPT_HIDDEN void dept_monitor_at_exit(void) {
    if (stall_active && atomic_load(&monitor_started)) check(false);
}

// The child of a fork has no monitor thread.
DEPT_HIDDEN void dept_monitor_after_fork_child(void) {
    input_asked_ns = 0;
    atomic_store(&last_quiet_ms, UINT32_MAX);
    atomic_store(&monitor_started, 0);
    atomic_store(&dept_monitor_armed, 0);
}

// The kernel proved a deadlock involving the calling thread, which is still
// marked blocked in the failed wait: report it now (the program may die of
// the error right after).
DEPT_HIDDEN void dept_monitor_check_now(void) {
    if (!dept_config.detect_hangs) return;
    int g = dept_tls_guard;
    dept_tls_guard = 1;
    check(true);
    dept_tls_guard = g;
}
