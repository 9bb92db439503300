// thread_hooks.c - threads in the model. A thread's whole body is an event
// context: [S] is its start (its creation site), [E] its exit, and
// pthread_join is a [W] for that exit. So a thread that joins another while
// holding a lock the other needs closes a cycle like any lock inversion.
#include "hook_entries.h"
#include "clocks.h"
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

DEFINE_REAL(int, pthread_create, pthread_t *, const pthread_attr_t *, void *(*)(void *), void *)
DEFINE_REAL(int, pthread_join, pthread_t, void **)
DEFINE_REAL(int, pthread_tryjoin_np, pthread_t, void **)
DEFINE_REAL(int, pthread_timedjoin_np, pthread_t, void **, const struct timespec *)
DEFINE_REAL(int, pthread_clockjoin_np, pthread_t, void **, clockid_t, const struct timespec *)
DEFINE_REAL(int, pthread_setname_np, pthread_t, const char *)
DEFINE_REAL(void, pthread_exit, void *)

DEPT_HIDDEN struct dept_thread *dept_thread_adopt(uint32_t tid, uint32_t parent, uint32_t create_stack,
                                                 struct dept_sync *start);
DEPT_HIDDEN uint32_t dept_thread_new_tid(void);

// What the parent hands to the child; recycled through a free list so that
// thread creation never calls malloc.
struct start_rec {
    void *(*fn)(void *);
    int (*c11_fn)(void *);        // a C11 start routine (thrd_create), or NULL
    void *arg;
    uint32_t tid, parent, create_stack;
    struct dept_obj_ref body;
    uintptr_t pc;
    size_t stack_size;            // the stack it was made with (0: not known)
    struct start_rec *next;
};
static struct start_rec *free_recs;
static dept_spin recs_lock = DEPT_SPIN_INIT;

static struct start_rec *rec_get(void) {
    dept_spin_take(&recs_lock);
    struct start_rec *r = free_recs;
    if (!r) {
        size_t n = 4096 / sizeof *r;
        struct start_rec *chunk = mmap(0, n * sizeof *r, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (chunk != MAP_FAILED)
            for (size_t i = 0; i < n; i++) { chunk[i].next = free_recs; free_recs = &chunk[i]; }
        r = free_recs;
    }
    if (r) free_recs = r->next;
    dept_spin_drop(&recs_lock);
    return r;
}
static void rec_put(struct start_rec *r) {
    dept_spin_take(&recs_lock);
    r->next = free_recs;
    free_recs = r;
    dept_spin_drop(&recs_lock);
}

// Threads made with a stack smaller than this (the D runtime's collector
// threads have 16 KiB) learn exactly where it ends; a larger one is known
// within the few KiB its thread's own records take at the top.
#define DEPT_SMALL_STACK (1u << 20)

// The stack size a thread made with attr gets (the default: RLIMIT_STACK's,
// or what pthread_setattr_default_np set).
static size_t stack_size_of(const pthread_attr_t *attr) {
    size_t n = 0;
    pthread_attr_t d;
    if (attr) pthread_attr_getstacksize(attr, &n);
    else if (pthread_getattr_default_np(&d) == 0) {
        pthread_attr_getstacksize(&d, &n);
        pthread_attr_destroy(&d);
    }
    return n;
}

// The lowest address the calling thread's stack may use. glibc reports a
// thread's stack without its guard page, so that is where it starts: adding
// the guard again put stack_lo a page above the end, and a frame below it
// read as room to spare (hostile_small_stack).
static uintptr_t stack_low(void) {
    pthread_attr_t a;
    void *addr = 0;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &a) != 0) return 0;
    pthread_attr_getstack(&a, &addr, &size);
    pthread_attr_destroy(&a);
    return (uintptr_t)addr;
}

// The new thread's stack (dept_stack_floor), from the trampoline's frame:
// every frame the thread makes is below it, but for the start routine's,
// which replaces it (a tail call), so a page above it bounds them all. Its
// end is at most size below (the thread's own records at the top of the
// stack take a few KiB of it); exactly, by glibc, for a small stack, where
// those few KiB matter and asking is worth its system call (the thread's
// CPU mask comes with the answer).
static inline __attribute__((always_inline)) void learn_stack(struct dept_thread *t, size_t size) {
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    bool small = size && size < DEPT_SMALL_STACK;
    uintptr_t lo = small ? stack_low() : (size && size < here ? here - size : 0);
    if (!lo || lo >= here) return;
    t->stack_lo = lo;
    t->stack_hi = here + 4096;
}

static void *trampoline(void *p) {
    struct start_rec *r = p;
    struct start_rec rec = *r;
    rec_put(r);
    dept_tls_guard = 1;
    // What the creator knew at pthread_create happened before anything here.
    struct dept_sync *body = rec.tid ? dept_sync_get(rec.body.inst) : 0;
    struct dept_thread *t = rec.tid ? dept_thread_adopt(rec.tid, rec.parent, rec.create_stack, body) : 0;
    if (t) {
        learn_stack(t, rec.stack_size);
        dept_obj_bind((uintptr_t)pthread_self(), rec.body);
        t->clk_body = rec.body.inst;
        dept_thread_started(t);
        dept_ecxt_enter(t, (uintptr_t)pthread_self(), rec.body, DEPT_EV_EXCL, DEPT_OP_THREAD_START,
                        DEPT_HELD_THREAD, rec.create_stack, rec.pc);
    }
    dept_tls_guard = 0;
    // A C11 routine returns an int where a pthread returns a void *, in the
    // same register: thrd_join reads back the low 32 bits, which is all
    // glibc's own conversion keeps. Called as a pthread routine, it is a
    // tail call, and no frame of dept's stays in the thread's stacks.
    if (rec.c11_fn) return ((void *(*)(void *))(void (*)(void))rec.c11_fn)(rec.arg);
    return rec.fn(rec.arg);
}

// pthread_create, and thrd_create (c11_fn): the new thread starts in
// trampoline, which adopts its record and enters its body's context. A C11
// start routine returns an int, so it always needs the trampoline, even
// when nothing is recorded.
int dept_thread_create_at(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
                          int (*c11_fn)(void *), void *arg, uint32_t kind, uintptr_t pc) {
    resolve_pthread_create();
    struct dept_thread *t = dept_enter();
    if (!t && !c11_fn) return REAL(pthread_create)(th, attr, fn, arg);
    int e = errno;
    struct start_rec *r = rec_get();
    if (!r) { if (t) dept_leave(); errno = e; return c11_fn ? EAGAIN : REAL(pthread_create)(th, attr, fn, arg); }
    r->fn = fn; r->c11_fn = c11_fn; r->arg = arg;
    if (!t) {
        // Not tracked here (inside dept, before start-up): the new thread
        // adopts nothing and only converts the C11 result.
        r->tid = 0;
        int rc = REAL(pthread_create)(th, attr, trampoline, r);
        if (rc != 0) rec_put(r);
        return rc;
    }
    r->tid = dept_thread_new_tid();
    r->parent = t->tid;
    r->pc = pc;
    r->stack_size = stack_size_of(attr);
    // Every thread gets the stack of its own creation: threads started from
    // one call site (std::thread, a spawn() helper, a pool) differ only
    // further down, so a memo keyed by the caller would give them all the
    // first one's stack. Creating a thread costs far more than an unwind.
    r->create_stack = dept_capture_stack();
    r->body = dept_obj_new(kind, pc);
    // Kept here: the child puts r back on the free list as soon as it
    // starts, and a thread it creates at once may take it over before the
    // handle is bound below.
    struct dept_obj_ref body_ref = r->body;
    struct dept_sync *body = dept_sync_get(r->body.inst);
    if (body) dept_clock_publish_start(body, t);
    dept_leave();
    errno = e;
    int rc = REAL(pthread_create)(th, attr, trampoline, r);
    e = errno;
    if (rc != 0) {
        rec_put(r);
        if (dept_enter()) { dept_sync_forget(body_ref.inst); dept_leave(); }
        errno = e;
        return rc;
    }
    if (dept_enter()) { dept_obj_bind((uintptr_t)*th, body_ref); dept_leave(); }
    dept_monitor_company();
    errno = e;
    return rc;
}

DEPT_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
    return dept_thread_create_at(th, attr, fn, 0, arg, DEPT_OBJ_THREAD, CALLER_PC());
}

static int join_common(pthread_t th, void **ret, int how, clockid_t c, const struct timespec *ts, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    int r;
    if (t) {
        int e = errno;
        struct dept_obj_ref o;
        if (how != 1 && dept_obj_find((uintptr_t)th, &o)) {
            uint32_t stack = dept_wait_begin(t, o, DEPT_EV_EXCL, DEPT_OP_JOIN, how >= 2 ? DEPT_WAIT_TIMED : 0, pc);
            if (how == 0) dept_hist_push_join(t, o, stack);
            dept_block_begin(t, (uintptr_t)th, o, DEPT_OP_JOIN, DEPT_EV_EXCL, stack, how >= 2 ? DEPT_BLOCK_TIMED : 0);
        }
        dept_leave();
        errno = e;
    }
    switch (how) {
    case 0: resolve_pthread_join(); r = REAL(pthread_join)(th, ret); break;
    case 1: resolve_pthread_tryjoin_np(); r = REAL(pthread_tryjoin_np)(th, ret); break;
    case 2: resolve_pthread_timedjoin_np(); r = REAL(pthread_timedjoin_np)(th, ret, ts); break;
    default: resolve_pthread_clockjoin_np(); r = REAL(pthread_clockjoin_np)(th, ret, c, ts); break;
    }
    if (t) dept_block_end(t);
    if (r == 0 && t) {
        int e = errno;
        dept_tls_guard = 1;
        // The thread's exit happened before the join returned.
        struct dept_obj_ref o;
        if (dept_obj_find((uintptr_t)th, &o)) {
            struct dept_sync *body = dept_sync_find(o.inst);
            if (body) dept_clock_acquire_all(body, t);
        }
        // The descriptor's memory may carry the next thread: forget it.
        dept_sync_forget(dept_obj_destroy((uintptr_t)th));
        dept_leave();
        errno = e;
    }
    return r;
}

DEPT_EXPORT int pthread_join(pthread_t th, void **ret) { return join_common(th, ret, 0, 0, 0, CALLER_PC()); }
int dept_thread_join_at(pthread_t th, void **ret, uintptr_t pc) { return join_common(th, ret, 0, 0, 0, pc); }
DEPT_EXPORT int pthread_tryjoin_np(pthread_t th, void **ret) { return join_common(th, ret, 1, 0, 0, CALLER_PC()); }
DEPT_EXPORT int pthread_timedjoin_np(pthread_t th, void **ret, const struct timespec *ts) { return join_common(th, ret, 2, 0, ts, CALLER_PC()); }
DEPT_EXPORT int pthread_clockjoin_np(pthread_t th, void **ret, clockid_t c, const struct timespec *ts) { return join_common(th, ret, 3, c, ts, CALLER_PC()); }

// The exit itself is handled by the registry's key destructor, which runs
// on every way out of a thread (return, pthread_exit, cancellation).
DEPT_EXPORT void pthread_exit(void *v) {
    resolve_pthread_exit();
    REAL(pthread_exit)(v);
    __builtin_unreachable();
}

DEPT_HIDDEN struct dept_thread *dept_thread_by_handle(pthread_t th);

DEPT_EXPORT int pthread_setname_np(pthread_t th, const char *name) {
    resolve_pthread_setname_np();
    int r = REAL(pthread_setname_np)(th, name);
    struct dept_thread *t = dept_enter();
    if (!t) return r;
    int e = errno;
    if (r == 0) {
        struct dept_thread *target = pthread_equal(th, pthread_self()) ? t : dept_thread_by_handle(th);
        if (target) {
            dept_core_lock();
            dept_core_thread_name(target->tid, name);
            dept_core_unlock();
        }
    }
    dept_leave();
    errno = e;
    return r;
}
