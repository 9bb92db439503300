// thread_registry.c - one record per thread, from mmap'd memory.
//
// Records of exited threads are recycled (a program that creates a million
// short threads must not grow without bound). Every record stays on the
// all-threads list so that a monitor or a post-fork reset can walk them
// without a lock; `live` says which ones run.
#include "shim.h"
#include "clocks.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <string.h>
#include <sched.h>

__thread struct dept_tls_block dept_tls __attribute__((tls_model("initial-exec")));
uintptr_t dept_alloc_lo, dept_alloc_span, dept_swiftrt_lo, dept_swiftrt_span;

static dept_spin registry_lock = DEPT_SPIN_INIT;
static struct dept_thread *free_list;
static _Atomic(struct dept_thread *) all_threads;
static DEPT_LONE(_Atomic uint32_t) next_tid = { 1 };
static pthread_key_t exit_key;
static _Atomic int exit_key_ready;

static void lock_registry(void) { dept_spin_take(&registry_lock); }
static void unlock_registry(void) { dept_spin_drop(&registry_lock); }

static void on_thread_exit(void *arg);

static struct dept_thread *alloc_record(void) {
    lock_registry();
    struct dept_thread *t = free_list;
    if (t) free_list = t->next_free;
    unlock_registry();
    if (!t) {
        t = mmap(0, sizeof *t, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (t == MAP_FAILED) return 0;
        struct dept_thread *head = atomic_load(&all_threads);
        do t->next_all = head; while (!atomic_compare_exchange_weak(&all_threads, &head, t));
        t->held = t->held_inline;
        t->held_cap = DEPT_HELD_INLINE;
    } else {
        // A recycled record keeps its (possibly grown) held array: memory
        // the monitor may still be reading is never unmapped.
        struct dept_thread *keep = t->next_all;
        struct dept_held *held = t->held == t->held_inline ? 0 : t->held;
        uint32_t cap = t->held_cap;
        uint32_t *vc = t->clk_vc, vc_cap = t->clk_cap;
        struct dept_acq_more *more = t->acq_more;
        struct dept_tentative *tentative = t->tentative;
        uint32_t tentative_cap = t->tentative_cap;
        struct dept_sem_memory *sem_memory = t->sem_memory;
        memset(t, 0, sizeof *t);
        if (sem_memory) memset(sem_memory, 0, sizeof *sem_memory);
        t->sem_memory = sem_memory;
        // Its pages go back zeroed, and only those the new thread touches
        // come back: cheaper than clearing megabytes that are mostly not
        // resident.
        if (more) madvise(more, sizeof *more, MADV_DONTNEED);
        t->acq_more = more;
        t->next_all = keep;
        t->held = held ? held : t->held_inline;
        t->held_cap = held ? cap : DEPT_HELD_INLINE;
        t->clk_vc = vc;
        t->clk_cap = vc_cap;
        t->tentative = tentative;
        t->tentative_cap = tentative_cap;
    }
    return t;
}

// The main thread's stack (dept_stack_floor): below where the process
// started (ld.so's __libc_stack_end), down to as far as RLIMIT_STACK lets
// it grow. Without a limit it stays unknown, as another thread's that dept
// did not see start.
extern void *__libc_stack_end;
static void learn_main_stack(struct dept_thread *t) {
    struct rlimit r;
    uintptr_t top = (uintptr_t)__libc_stack_end;
    if (!top || getrlimit(RLIMIT_STACK, &r) != 0 || r.rlim_cur == RLIM_INFINITY || r.rlim_cur >= top) return;
    t->stack_lo = top - r.rlim_cur;
    t->stack_hi = top + 4096;
}

// First hook call on a thread we have not seen start (the main thread, or
// threads created before the preload was ready or by raw clone).
struct dept_thread *dept_thread_slow(void) {
    struct dept_thread *t = alloc_record();
    if (!t) return 0;
    t->tid = atomic_fetch_add(&next_tid.v, 1);
    t->os_tid = (int32_t)syscall(SYS_gettid);
    if (t->os_tid == getpid()) learn_main_stack(t);
    t->self = pthread_self();
    dept_clock_thread_start(t, 0);
    atomic_store(&t->live, 1);
    dept_tls_thread = t;
    dept_thread_started(t);
    return t;
}

/// Called from our pthread_create trampoline in the new thread.
/// `start`: its body, which holds what the creator knew at pthread_create.
DEPT_HIDDEN struct dept_thread *dept_thread_adopt(uint32_t tid, uint32_t parent, uint32_t create_stack,
                                                 struct dept_sync *start) {
    struct dept_thread *t = alloc_record();
    if (!t) return 0;
    t->tid = tid;
    t->parent = parent;
    t->create_stack = create_stack;
    t->os_tid = (int32_t)syscall(SYS_gettid);
    t->self = pthread_self();
    dept_clock_thread_start(t, start);
    atomic_store(&t->live, 1);
    dept_tls_thread = t;
    return t;
}

DEPT_HIDDEN uint32_t dept_thread_new_tid(void) { return atomic_fetch_add(&next_tid.v, 1); }

void dept_thread_started(struct dept_thread *t) {
    if (atomic_load(&exit_key_ready))
        pthread_setspecific(exit_key, t);
    dept_core_lock();
    dept_core_thread(t->tid, t->parent, t->create_stack, t->os_tid, t->clk_slot, t->clk_reused_after);
    dept_core_unlock();
}

static bool detached_now(void) {
    pthread_attr_t a;
    int state = PTHREAD_CREATE_JOINABLE;
    if (pthread_getattr_np(pthread_self(), &a) != 0) return false;
    pthread_attr_getdetachstate(&a, &state);
    pthread_attr_destroy(&a);
    return state == PTHREAD_CREATE_DETACHED;
}

// The latest wait on each object in t's history ring (newest first), for
// its joiners: a join asked for after such a wait was over, or after what
// ended it, did not wait behind it (HappensBefore).
static uint32_t latest_waits(const struct dept_thread *t, struct dept_history_view *out) {
    uint32_t n = t->nhist < DEPT_HISTORY ? t->nhist : DEPT_HISTORY, k = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct dept_hist *h = &t->hist[(t->nhist - 1 - i) % DEPT_HISTORY];
        bool seen = false;
        for (uint32_t j = 0; j < k && !seen; j++) seen = out[j].inst == h->inst;
        if (seen) continue;
        out[k++] = dept_hist_view(h);
    }
    return k;
}

// Thread exit (return from start routine, pthread_exit, cancellation): the
// key destructor runs on every path. Afterwards the thread is untracked.
void dept_thread_finished(struct dept_thread *t) {
    if (!t || (uintptr_t)t == 1) return;
    int guard = dept_tls_guard;
    dept_tls_guard = 1;
    // The end of the thread body is the event its joiners wait for.
    dept_ecxt_exit(t, (uintptr_t)t->self, DEPT_OP_THREAD_EXIT, 0);
    // Holds that ended unseen (a futex lock released in user space) are
    // not held at the exit.
    if (t->sems_held) dept_held_validate(t);
    // Locks it dies holding carry its last clock to their next owner (who
    // gets EOWNERDEAD from a robust mutex); its joiners learn it too.
    for (uint32_t i = 0; i < t->nheld; i++) {
        struct dept_sync *m = (t->held[i].flags & DEPT_HELD_THREAD) ? 0 : dept_sync_get(t->held[i].inst);
        if (m) dept_clock_publish(m, t->held[i].cls, t);
    }
    struct dept_sync *body = t->clk_body ? dept_sync_get(t->clk_body) : 0;
    if (body) dept_clock_exit(body, t);
    else dept_clock_tick(t);
    // A detached thread's end is awaited by nobody: its body's state goes
    // now (a joined one's goes at the join). Asked of glibc at the end, not
    // followed through pthread_detach: runtimes detach right after
    // pthread_create, often before the thread has started, when only the
    // creator's clock in that state says what the thread may rely on.
    if (body && detached_now()) dept_sync_forget(t->clk_body);
    struct dept_epoch last = dept_clock_last_wait(t);
    struct dept_history_view ended[DEPT_HISTORY];
    uint32_t nended = latest_waits(t, ended);
    dept_core_lock();
    dept_core_thread_exit(t->tid, t->nheld ? t->held : 0, t->nheld, last, ended, nended, t->clk_waited_at,
                          DEPT_WAITED_BUCKETS);
    dept_core_unlock();
    dept_clock_thread_end(t);
    atomic_store(&t->live, 0);
    dept_tls_thread = (struct dept_thread *)1;
    lock_registry();
    t->next_free = free_list;
    free_list = t;
    unlock_registry();
    dept_tls_guard = guard;
}

static void on_thread_exit(void *arg) { dept_thread_finished((struct dept_thread *)arg); }

DEPT_HIDDEN void dept_registry_init(void) {
    if (pthread_key_create(&exit_key, on_thread_exit) == 0) atomic_store(&exit_key_ready, 1);
}

bool dept_held_grow(struct dept_thread *t) {
    // No cap: move to a bigger mmap'd array.
    uint32_t ncap = t->held_cap * 2;
    struct dept_held *n = mmap(0, ncap * sizeof *n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (n == MAP_FAILED) return false;
    memcpy(n, t->held, t->nheld * sizeof *n);
    // The old array is left mapped (the hang monitor may be reading it);
    // doubling bounds what is left behind to the size of the new one.
    t->held = n;
    t->held_cap = ncap;
    return true;
}

// After fork only the forking thread exists in the child: every other
// record is stale (its held locks and waits belong to threads that are gone).
DEPT_HIDDEN void dept_registry_after_fork_child(void) {
    unlock_registry();
    struct dept_thread *self = dept_tls_thread;
    for (struct dept_thread *t = atomic_load(&all_threads); t; t = t->next_all) {
        if (t == self || !atomic_load(&t->live)) continue;
        atomic_store(&t->live, 0);
        t->nheld = 0;
        t->next_free = free_list;
        free_list = t;
    }
    if ((uintptr_t)self > 1) self->os_tid = (int32_t)syscall(SYS_gettid);
}

DEPT_HIDDEN void dept_registry_atfork(int phase) {
    if (phase == 0) lock_registry();
    else unlock_registry();
}

struct dept_thread *dept_thread_by_handle(pthread_t th) {
    for (struct dept_thread *t = atomic_load(&all_threads); t; t = t->next_all)
        if (atomic_load(&t->live) && pthread_equal(t->self, th)) return t;
    return 0;
}

struct dept_thread *dept_registry_first(void) { return atomic_load(&all_threads); }

// For the core's happens-before rule (called with the core lock held). The
// other thread's words are read without a lock: a stale value only moves
// its last wait earlier or later by one release, and the thread keeps
// running either way.
static struct dept_thread *live_thread(uint32_t tid) {
    for (struct dept_thread *t = atomic_load(&all_threads); t; t = t->next_all)
        if (atomic_load(&t->live) && t->tid == tid) return t;
    return 0;
}

int dept_shim_thread_last_wait(uint32_t tid, struct dept_epoch *out) {
    struct dept_thread *t = live_thread(tid);
    if (t) *out = dept_clock_last_wait(t);
    return t != 0;
}

int dept_shim_thread_waited_at(uint32_t tid, uint32_t inst, struct dept_epoch *out) {
    struct dept_thread *t = live_thread(tid);
    if (t) *out = (struct dept_epoch){ t->clk_slot, t->clk_waited_at[inst & (DEPT_WAITED_BUCKETS - 1)] };
    return t != 0;
}
