// model_door.c - the model by address (see model_door.h): each call finds
// the thread and the class, then makes the model.c calls the built-in
// pthread hooks make inline.
#include "model_door.h"
#include <errno.h>

bool dept_door_wait_begin(struct dept_door_wait *w, uintptr_t obj, uint32_t kind, uint16_t op,
                          uint32_t flags, uintptr_t pc) {
    w->t = 0;
    w->sync = 0;
    w->flags = flags;
    struct dept_thread *t = dept_enter();
    if (!t) return false;
    int e = errno;
    struct dept_obj_ref o = dept_obj_lookup(obj, kind, pc);
    uint16_t awaits = !(flags & DEPT_DOOR_LOCK) ? DEPT_EV_EXCL
                    : (flags & DEPT_DOOR_SHARED) ? DEPT_EV_EXCL : DEPT_EV_EXCL | DEPT_EV_SHARED;
    uint32_t stack = dept_wait_begin_fast(t, o, awaits, op, (flags & DEPT_DOOR_TIMED) ? DEPT_WAIT_TIMED : 0, pc);
    bool sleeps = !(flags & DEPT_DOOR_NO_SLEEP);
    // A wait for an event (not for a release) is what later events of this
    // thread depend on (model.c), and opens a waiting episode of its object.
    if (!(flags & (DEPT_DOOR_LOCK | DEPT_DOOR_TIMED)) && sleeps) {
        uint64_t stamp = dept_hist_push(t, o, stack, DEPT_EV_EXCL, op);
        w->sync = dept_sync_get(o.inst);
        dept_sync_wait_begin(w->sync, stamp);
    } else if (!(flags & DEPT_DOOR_LOCK)) {
        dept_waited_for_event(t, o.cls);
    }
    if (sleeps && !(flags & DEPT_DOOR_PSHARED)) {
        struct dept_sync *s = w->sync ? w->sync : (flags & DEPT_DOOR_ASK_PSHARED) ? dept_sync_get(o.inst) : 0;
        if (s && atomic_load_explicit(&s->pshared, memory_order_relaxed)) flags |= DEPT_DOOR_PSHARED;
    }
    if (sleeps)
        dept_block_begin(t, obj, o, op, awaits, stack,
                         ((flags & DEPT_DOOR_TIMED) ? DEPT_BLOCK_TIMED : 0) | ((flags & DEPT_DOOR_PSHARED) ? DEPT_BLOCK_SHARED : 0)
                         | ((flags & DEPT_DOOR_PI) ? DEPT_BLOCK_PI : 0) | ((flags & DEPT_DOOR_SPINS) ? DEPT_BLOCK_SPINS : 0));
    w->t = t;
    w->o = o;
    w->stack = stack;
    dept_leave();
    errno = e;
    return true;
}

void dept_door_wait_end(struct dept_door_wait *w) {
    if (!w->t) return;
    if (!(w->flags & DEPT_DOOR_NO_SLEEP)) dept_block_end(w->t);
    dept_sync_wait_end(w->sync, w->o.inst);
    w->sync = 0;
}

void dept_door_ecxt_enter(uintptr_t obj, uint32_t kind, uint16_t op, uint32_t flags, uint32_t stack, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    if (!t) return;
    int e = errno;
    struct dept_held *h = (flags & DEPT_DOOR_RECURSIVE) ? dept_held_find(t, obj) : 0;
    if (h) {
        h->count++;
    } else {
        struct dept_obj_ref o = dept_obj_lookup(obj, kind, pc);
        uint32_t held = ((flags & DEPT_DOOR_TRY) ? DEPT_HELD_TRY : 0) | ((flags & DEPT_DOOR_TIMED) ? DEPT_HELD_TIMED : 0)
                      | ((flags & DEPT_DOOR_PROGRESS) ? DEPT_HELD_THREAD : 0) | ((flags & DEPT_DOOR_FUTEX) ? DEPT_HELD_FUTEX : 0);
        dept_ecxt_enter(t, obj, o, (flags & DEPT_DOOR_SHARED) ? DEPT_EV_SHARED : DEPT_EV_EXCL, op, held, stack, pc);
        if ((held & DEPT_HELD_CHECKED) && t->nheld && t->held[t->nheld - 1].obj == obj) t->sems_held++;
    }
    dept_leave();
    errno = e;
}

void dept_door_acquired(uintptr_t obj, uint32_t kind, uint16_t op, uint32_t flags, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    if (!t) return;
    int e = errno;
    struct dept_obj_ref o = dept_obj_lookup(obj, kind, pc);
    uint16_t awaits = (flags & DEPT_DOOR_SHARED) ? DEPT_EV_EXCL : DEPT_EV_EXCL | DEPT_EV_SHARED;
    uint32_t stack = dept_wait_begin_fast(t, o, awaits, op, 0, pc);
    dept_push_fast(t, obj, o, (flags & DEPT_DOOR_SHARED) ? DEPT_EV_SHARED : DEPT_EV_EXCL, op, 0, stack, pc);
    dept_leave();
    errno = e;
}

bool dept_door_ecxt_exit(uintptr_t obj, uint16_t op, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    if (!t) return false;
    int e = errno;
    bool held = dept_ecxt_exit(t, obj, op, pc);
    dept_leave();
    errno = e;
    return held;
}

void dept_door_event(uintptr_t obj, uint32_t kind, uint16_t op, uint32_t flags, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    if (!t) return;
    int e = errno;
    struct dept_obj_ref o = dept_obj_lookup(obj, kind, pc);
    // A futex wake may be the release of a futex-word lock (lock_takes.c).
    bool marked = op == DEPT_OP_FUTEX_WAKE && dept_futex_mark_before_take(t, obj, o.cls);
    dept_event(t, o, dept_sync_get(o.inst), op, flags, pc, 0);
    if (marked) dept_take_unmark(t);
    dept_leave();
    errno = e;
}

void dept_door_futex_woken(const struct dept_door_wait *w) {
    if (w->t) dept_take_seen(w->t, w->o.addr);
}

void dept_door_init(uintptr_t obj, uint32_t kind, uintptr_t site, uintptr_t key, uint32_t flags) {
    struct dept_thread *t = dept_enter();
    if (!t) return;
    int e = errno;
    struct dept_obj_ref o;
    if (key) {
        // The key is a static object: its class (named by its symbol) is
        // the class of every object declared with it.
        struct dept_obj_ref k = dept_obj_lookup(key, kind, site);
        o = dept_obj_instance_of(k.cls);
        dept_obj_bind(obj, o);
    } else {
        o = dept_obj_init(obj, kind, site);
    }
    if (flags & DEPT_DOOR_PSHARED) {
        struct dept_sync *s = dept_sync_get(o.inst);
        if (s) atomic_store(&s->pshared, 1);
    }
    dept_leave();
    errno = e;
}

void dept_door_destroy(uintptr_t obj) {
    struct dept_thread *t = dept_enter();
    if (!t) return;
    int e = errno;
    dept_drop_held(t, obj);
    dept_sync_forget(dept_obj_destroy(obj));
    dept_leave();
    errno = e;
}

struct dept_obj_ref dept_door_object(uintptr_t obj, uint32_t kind, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    if (!t) return (struct dept_obj_ref){ 0, 0 };
    int e = errno;
    struct dept_obj_ref o = dept_obj_lookup(obj, kind, pc);
    dept_leave();
    errno = e;
    return o;
}
