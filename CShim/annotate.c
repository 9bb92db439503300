// annotate.c - the public annotation API (include/dept.h): a program tells
// dept about primitives it cannot see (its own futex or spin locks,
// completions), in the kernel DEPT's terms, and through the TSan entry
// points for annotated mutexes. Every call goes through the model's door
// (model_door.h), as the built-in hooks do. The program declares the
// entry points weak, so it runs without dept (they are NULL then).
//
//   __dept_map_init(obj, key)   obj begins a life; its class is the static
//                               object `key` (named by its symbol), or the
//                               call site when key is NULL
//   __dept_wait_begin(obj, f)   [W]: the thread may sleep until obj's event
//                               (DEPT_LOCK: until a holder releases it)
//   __dept_wait_end(obj)        the wait returned
//   __dept_ecxt_enter(obj, f)   [S]: the thread is now heading for obj's
//                               event (it acquired the lock)
//   __dept_ecxt_exit(obj, f)    [E] of that context (the release)
//   __dept_event(obj, f)        [E] by a thread that need not hold obj
//                               (complete(), a wake-up)
#include "model_door.h"
#include "annotate.h"
#include <dlfcn.h>
#include <sys/mman.h>

// The flags of include/dept.h.
enum { API_LOCK = 1, API_SHARED = 2, API_TRY = 4, API_TIMED = 8, API_RECURSIVE = 16 };

// ---- classes declared through the API -----------------------------------
// One bit per class id, in chunks mapped on first use.
#define CHUNK_BITS (1u << 16)
#define CHUNKS 1024
static _Atomic(uint64_t *) chunks[CHUNKS];

bool dept_annotated_class(uint32_t cls) {
    if (cls / CHUNK_BITS >= CHUNKS) return false;
    uint64_t *c = atomic_load_explicit(&chunks[cls / CHUNK_BITS], memory_order_acquire);
    if (!c) return false;
    uint64_t bits = atomic_load_explicit((_Atomic uint64_t *)&c[(cls % CHUNK_BITS) / 64], memory_order_relaxed);
    return bits >> (cls % 64) & 1;
}

static void mark_class(uint32_t cls) {
    if (LIKELY(dept_annotated_class(cls)) || !cls || cls / CHUNK_BITS >= CHUNKS) return;
    _Atomic(uint64_t *) *slot = &chunks[cls / CHUNK_BITS];
    uint64_t *c = atomic_load_explicit(slot, memory_order_acquire);
    if (!c) {
        uint64_t *n = mmap(0, CHUNK_BITS / 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (n == MAP_FAILED) return;
        if (!atomic_compare_exchange_strong(slot, &c, n)) munmap(n, CHUNK_BITS / 8);
        else c = n;
    }
    atomic_fetch_or_explicit((_Atomic uint64_t *)&c[(cls % CHUNK_BITS) / 64], 1ull << (cls % 64), memory_order_relaxed);
}

static void declare(uintptr_t obj, uintptr_t pc) {
    struct dept_obj_ref o = dept_door_object(obj, DEPT_OBJ_ANNOTATED, pc);
    mark_class(o.cls);
}

// ---- waits in progress ----------------------------------------------------
// wait_begin and wait_end are separate calls of the program: the wait is
// kept per thread until it ends, and its stack until the context entered
// after it (a lock's [S] is its wait).
#define PENDING 8
struct pending { uintptr_t obj; struct dept_door_wait wait; uint16_t op; };
struct ended { uintptr_t obj; uint32_t stack; uint16_t op; };
struct api_thread {
    struct pending waits[PENDING];
    uint32_t n, dropped;
    struct ended last;            // the wait that ended last (obj 0: none)
};
static __thread struct api_thread api_thread __attribute__((tls_model("initial-exec")));

static void wait_begin(uintptr_t obj, uint32_t flags, uint16_t op, uintptr_t pc) {
    if (api_thread.n == PENDING) { api_thread.dropped++; declare(obj, pc); return; }
    struct pending *p = &api_thread.waits[api_thread.n];
    uint32_t door = ((flags & API_LOCK) ? DEPT_DOOR_LOCK : 0) | ((flags & API_SHARED) ? DEPT_DOOR_SHARED : 0)
                  | ((flags & API_TIMED) ? DEPT_DOOR_TIMED : 0) | DEPT_DOOR_SPINS;
    if (!dept_door_wait_begin(&p->wait, obj, DEPT_OBJ_ANNOTATED, op, door, pc)) return;
    mark_class(p->wait.o.cls);
    p->obj = obj;
    p->op = op;
    api_thread.n++;
}

static void wait_end(uintptr_t obj) {
    for (uint32_t i = api_thread.n; i-- > 0;) {
        struct pending *p = &api_thread.waits[i];
        if (p->obj != obj) continue;
        dept_door_wait_end(&p->wait);
        api_thread.last = (struct ended){ obj, p->wait.stack, p->op };
        if (i + 1 != api_thread.n) *p = api_thread.waits[api_thread.n - 1];
        api_thread.n--;
        return;
    }
}

static void ecxt_enter(uintptr_t obj, uint32_t flags, uint16_t op, uintptr_t pc) {
    uint32_t stack = 0;
    // After a lock's wait, its context starts where the wait did (and the
    // wait declared the object).
    if (!(flags & API_TRY) && api_thread.last.obj == obj) stack = api_thread.last.stack;
    else declare(obj, pc);
    api_thread.last.obj = 0;
    uint32_t door = ((flags & API_SHARED) ? DEPT_DOOR_SHARED : 0) | ((flags & API_TRY) ? DEPT_DOOR_TRY : 0)
                  | ((flags & API_TIMED) ? DEPT_DOOR_TIMED : 0) | ((flags & API_RECURSIVE) ? DEPT_DOOR_RECURSIVE : 0);
    dept_door_ecxt_enter(obj, DEPT_OBJ_ANNOTATED, op, door, stack, pc);
}

static uintptr_t site(const void *pc, uintptr_t caller) { return pc ? (uintptr_t)pc : caller; }

// ---- the kernel DEPT's terms --------------------------------------------

struct dept_key;
DEPT_EXPORT void __dept_map_init(const void *obj, const struct dept_key *key, const void *pc) {
    uintptr_t at = site(pc, CALLER_PC());
    dept_door_init((uintptr_t)obj, DEPT_OBJ_ANNOTATED, at, (uintptr_t)key, 0);
    declare((uintptr_t)obj, at);
}

DEPT_EXPORT void __dept_map_destroy(const void *obj) { dept_door_destroy((uintptr_t)obj); }

DEPT_EXPORT void __dept_wait_begin(const void *obj, unsigned flags, const void *pc) {
    wait_begin((uintptr_t)obj, flags, (flags & API_LOCK) ? ((flags & API_SHARED) ? DEPT_OP_RDLOCK : DEPT_OP_LOCK)
                                                       : DEPT_OP_ANN_WAIT, site(pc, CALLER_PC()));
}

DEPT_EXPORT void __dept_wait_end(const void *obj) { wait_end((uintptr_t)obj); }

DEPT_EXPORT void __dept_ecxt_enter(const void *obj, unsigned flags, const void *pc) {
    uint16_t op = api_thread.last.obj == (uintptr_t)obj && !(flags & API_TRY) ? api_thread.last.op
                : (flags & API_TRY) ? ((flags & API_SHARED) ? DEPT_OP_TRYRDLOCK : DEPT_OP_TRYLOCK) : DEPT_OP_ANN_ENTER;
    ecxt_enter((uintptr_t)obj, flags, op, site(pc, CALLER_PC()));
}

DEPT_EXPORT void __dept_ecxt_exit(const void *obj, unsigned flags, const void *pc) {
    (void)flags;
    dept_door_ecxt_exit((uintptr_t)obj, DEPT_OP_UNLOCK, site(pc, CALLER_PC()));
}

DEPT_EXPORT void __dept_event(const void *obj, unsigned flags, const void *pc) {
    (void)flags;
    uintptr_t at = site(pc, CALLER_PC());
    declare((uintptr_t)obj, at);
    dept_door_event((uintptr_t)obj, DEPT_OBJ_ANNOTATED, DEPT_OP_ANN_EVENT, 0, at);
}

// ---- ThreadSanitizer's mutex annotations ---------------------------------
// Same meaning where they map (tsan_interface.h): a mutex is a lock, signal
// an event. When a TSan runtime is loaded after dept, it gets the call too.

enum {
    TSAN_LINKER_INIT = 1 << 0, TSAN_WRITE_REENTRANT = 1 << 1, TSAN_READ_REENTRANT = 1 << 2,
    TSAN_READ_LOCK = 1 << 3, TSAN_TRY_LOCK = 1 << 4, TSAN_TRY_LOCK_FAILED = 1 << 5,
    TSAN_RECURSIVE_LOCK = 1 << 6, TSAN_RECURSIVE_UNLOCK = 1 << 7,
};

// The same entry point further down the lookup order (a TSan runtime), or
// NULL; looked up once.
#define NEXT(ret, name, params) \
    static ret (*next_##name) params; \
    static _Atomic int next_##name##_done; \
    static ret (*resolve_##name(void)) params { \
        if (UNLIKELY(!atomic_load_explicit(&next_##name##_done, memory_order_acquire))) { \
            next_##name = (ret (*) params)dept_real(#name, 0); \
            atomic_store_explicit(&next_##name##_done, 1, memory_order_release); \
        } \
        return next_##name; \
    }
#define FORWARD(name, ...) do { if (resolve_##name()) next_##name(__VA_ARGS__); } while (0)

NEXT(void, __tsan_mutex_create, (void *a, unsigned f))
NEXT(void, __tsan_mutex_destroy, (void *a, unsigned f))
NEXT(void, __tsan_mutex_pre_lock, (void *a, unsigned f))
NEXT(void, __tsan_mutex_post_lock, (void *a, unsigned f, int r))
NEXT(int, __tsan_mutex_pre_unlock, (void *a, unsigned f))
NEXT(void, __tsan_mutex_post_unlock, (void *a, unsigned f))
NEXT(void, __tsan_mutex_pre_signal, (void *a, unsigned f))
NEXT(void, __tsan_mutex_post_signal, (void *a, unsigned f))
NEXT(void, __tsan_mutex_pre_divert, (void *a, unsigned f))
NEXT(void, __tsan_mutex_post_divert, (void *a, unsigned f))

DEPT_EXPORT void __tsan_mutex_create(void *a, unsigned f) {
    uintptr_t pc = CALLER_PC();
    // A linker-initialised (static) mutex is its own class at first use.
    if (!(f & TSAN_LINKER_INIT)) dept_door_init((uintptr_t)a, DEPT_OBJ_ANNOTATED, pc, 0, 0);
    declare((uintptr_t)a, pc);
    FORWARD(__tsan_mutex_create, a, f);
}

DEPT_EXPORT void __tsan_mutex_destroy(void *a, unsigned f) {
    dept_door_destroy((uintptr_t)a);
    FORWARD(__tsan_mutex_destroy, a, f);
}

DEPT_EXPORT void __tsan_mutex_pre_lock(void *a, unsigned f) {
    // A trylock never waits.
    if (!(f & TSAN_TRY_LOCK))
        wait_begin((uintptr_t)a, API_LOCK | ((f & TSAN_READ_LOCK) ? API_SHARED : 0),
                   (f & TSAN_READ_LOCK) ? DEPT_OP_RDLOCK : DEPT_OP_LOCK, CALLER_PC());
    FORWARD(__tsan_mutex_pre_lock, a, f);
}

DEPT_EXPORT void __tsan_mutex_post_lock(void *a, unsigned f, int recursion) {
    uintptr_t pc = CALLER_PC();
    wait_end((uintptr_t)a);
    if (!(f & TSAN_TRY_LOCK_FAILED)) {
        bool read = f & TSAN_READ_LOCK, try = f & TSAN_TRY_LOCK;
        uint32_t flags = (read ? API_SHARED : 0) | (try ? API_TRY : 0)
                       | ((f & (TSAN_WRITE_REENTRANT | TSAN_READ_REENTRANT)) ? API_RECURSIVE : 0);
        uint16_t op = try ? (read ? DEPT_OP_TRYRDLOCK : DEPT_OP_TRYLOCK) : (read ? DEPT_OP_RDLOCK : DEPT_OP_LOCK);
        // After a recursive unlock-all (pre_unlock returned the depth), the
        // lock comes back with its depth.
        int times = (f & TSAN_RECURSIVE_LOCK) && recursion > 0 ? recursion : 1;
        for (int i = 0; i < times; i++) ecxt_enter((uintptr_t)a, i ? flags | API_RECURSIVE : flags, op, pc);
    } else {
        api_thread.last.obj = 0;
    }
    FORWARD(__tsan_mutex_post_lock, a, f, recursion);
}

DEPT_EXPORT int __tsan_mutex_pre_unlock(void *a, unsigned f) {
    uintptr_t pc = CALLER_PC();
    int depth = 0;
    if (f & TSAN_RECURSIVE_UNLOCK) {
        // Releases every level at once; the depth is handed back to post_lock.
        while (dept_door_ecxt_exit((uintptr_t)a, DEPT_OP_UNLOCK, pc)) depth++;
    } else {
        dept_door_ecxt_exit((uintptr_t)a, DEPT_OP_UNLOCK, pc);
    }
    if (resolve___tsan_mutex_pre_unlock()) return next___tsan_mutex_pre_unlock(a, f);
    return depth;
}

DEPT_EXPORT void __tsan_mutex_post_unlock(void *a, unsigned f) { FORWARD(__tsan_mutex_post_unlock, a, f); }

DEPT_EXPORT void __tsan_mutex_pre_signal(void *a, unsigned f) {
    uintptr_t pc = CALLER_PC();
    declare((uintptr_t)a, pc);
    dept_door_event((uintptr_t)a, DEPT_OBJ_ANNOTATED, DEPT_OP_COND_SIGNAL, 0, pc);
    FORWARD(__tsan_mutex_pre_signal, a, f);
}

DEPT_EXPORT void __tsan_mutex_post_signal(void *a, unsigned f) { FORWARD(__tsan_mutex_post_signal, a, f); }
DEPT_EXPORT void __tsan_mutex_pre_divert(void *a, unsigned f) { FORWARD(__tsan_mutex_pre_divert, a, f); }
DEPT_EXPORT void __tsan_mutex_post_divert(void *a, unsigned f) { FORWARD(__tsan_mutex_post_divert, a, f); }
