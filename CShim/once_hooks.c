// once_hooks.c - pthread_once and C11 call_once in the model:
//   a call = [W] for the initializer's completion (recorded even when the
//   initializer already ran: in another run this call may be the one that
//   waits); the thread that runs the initializer instead enters its event
//   context: [S] its start, [E] its return.
// So an initializer that waits for a lock held by a thread inside the same
// pthread_once is a cycle: the lock's release waits for the completion, the
// completion for the lock. glibc's call_once is pthread_once on the same
// word (once_flag wraps a pthread_once_t); both go through here.
#include "model_door.h"
#include <threads.h>

DEFINE_REAL(int, pthread_once, pthread_once_t *, void (*)(void))

// glibc: the low bits of the control word; DONE once an initializer returned.
#define ONCE_DONE 2

/// The call in progress on this thread, for the trampoline (an init routine
/// takes no argument). Nested calls (an initializer calling pthread_once)
/// save and restore it around the real call.
struct once_call {
    void (*init)(void);
    uintptr_t obj;
    uint32_t kind;
    uintptr_t pc;
    struct dept_door_wait *wait;
};
static __thread struct once_call current_call __attribute__((tls_model("initial-exec")));

static void init_returned(struct once_call **c) {
    // Also on the way out of a cancelled or throwing initializer
    // (pthread_once then lets another caller run it).
    dept_door_ecxt_exit((*c)->obj, DEPT_OP_ONCE_DONE, (*c)->pc);
}

static void trampoline(void) {
    struct once_call c = current_call;
    // This thread runs the initializer: it does not wait.
    dept_door_wait_end(c.wait);
    dept_door_ecxt_enter(c.obj, c.kind, DEPT_OP_ONCE_INIT, DEPT_DOOR_PROGRESS, 0, c.pc);
    struct once_call *scope __attribute__((cleanup(init_returned))) = &c;
    (void)scope;
    c.init();
}

static void restore_call(struct once_call *saved) { current_call = *saved; }
static void end_wait(struct dept_door_wait *w) { dept_door_wait_end(w); }

static int once_common(pthread_once_t *o, void (*init)(void), uint32_t kind, uintptr_t pc) {
    resolve_pthread_once();
    bool done = (__atomic_load_n(o, __ATOMIC_ACQUIRE) & ONCE_DONE) != 0;
    struct dept_door_wait w __attribute__((cleanup(end_wait)));
    dept_door_wait_begin(&w, (uintptr_t)o, kind, DEPT_OP_ONCE, done ? DEPT_DOOR_NO_SLEEP : 0, pc);
    if (done || !w.t) return REAL(pthread_once)(o, init);
    struct once_call saved __attribute__((cleanup(restore_call))) = current_call;
    current_call = (struct once_call){ init, (uintptr_t)o, kind, pc, &w };
    return REAL(pthread_once)(o, trampoline);
}

DEPT_EXPORT int pthread_once(pthread_once_t *o, void (*init)(void)) {
    return once_common(o, init, DEPT_OBJ_ONCE, CALLER_PC());
}

DEPT_EXPORT void call_once(once_flag *flag, void (*func)(void)) {
    _Static_assert(sizeof(once_flag) == sizeof(pthread_once_t), "once_flag wraps a pthread_once_t");
    once_common((pthread_once_t *)flag, func, DEPT_OBJ_C11_ONCE, CALLER_PC());
}
