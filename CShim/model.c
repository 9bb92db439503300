// model.c - the DEPT model as the hooks use it: waits, event contexts and
// events, with a per-thread memo so a known situation never leaves the
// thread (no lock, no stack capture, no shared write).
#include "shim.h"
#include <string.h>

#define TAG_SITE 0x5349544500000000ull    // acquisition site of a context
#define TAG_EVENT 0x4556454e00000000ull   // site of an event

struct dept_held *dept_held_find(struct dept_thread *t, uintptr_t addr) {
    for (uint32_t i = t->nheld; i-- > 0;)
        if (t->held[i].obj == addr) return &t->held[i];
    return 0;
}

static uint32_t site_stack(struct dept_thread *t, uint32_t cls, uint16_t op, uintptr_t pc) {
    uint64_t key = dept_mix(dept_mix(TAG_SITE ^ cls, op), pc);
    uint32_t s = dept_seen_get(t, key);
    if (LIKELY(s)) return s;
    s = dept_capture_stack();
    dept_seen_put(t, key, s);
    return s;
}

// The dependency rule for locks (DESIGN §2): every context the thread is in
// (every held lock) cannot reach its event until this wait is satisfied, so
// each held event depends on the awaited one. The memo key covers the whole
// held chain plus the wait: a hit means the core already knows all of it.
// Same-class nesting also mixes in the instances, because the core needs
// instance pairs to tell hand-over-hand from a real inversion.
uint32_t dept_wait_begin(struct dept_thread *t, struct dept_obj_ref o, uint16_t awaits,
                         uint16_t op, uint32_t flags, uintptr_t pc) {
    uint32_t n = t->nheld;
    if (n == 0 || (flags & DEPT_WAIT_TIMED) || !dept_config.detect_potential)
        return site_stack(t, o.cls, op, pc);
    uint64_t key = dept_mix(dept_mix(t->held[n - 1].chain, ((uint64_t)o.cls << 16) | awaits), pc);
    for (uint32_t i = 0; i < n; i++)
        if (t->held[i].cls == o.cls) { key = dept_mix(dept_mix(key, t->held[i].inst), o.inst); }
    uint32_t s = dept_seen_get(t, key);
    if (LIKELY(s)) return s;
    s = dept_capture_stack();
    struct dept_wait w = { o.cls, o.inst, s, awaits, op, flags };
    dept_core_lock();
    dept_core_wait(t->tid, t->held, n, &w);
    dept_core_unlock();
    dept_seen_put(t, key, s);
    return s;
}

void dept_ecxt_enter(struct dept_thread *t, uintptr_t addr, struct dept_obj_ref o,
                     uint16_t mode, uint16_t op, uint32_t flags, uint32_t stack, uintptr_t pc) {
    if (!stack) stack = site_stack(t, o.cls, op, pc);
    uint64_t prev = t->nheld ? t->held[t->nheld - 1].chain : 0x243f6a8885a308d3ull;
    struct dept_held *h = dept_held_push(t);
    if (UNLIKELY(!h)) return;
    h->obj = addr;
    h->chain = dept_mix(prev, ((uint64_t)o.cls << 16) | mode);
    h->cls = o.cls;
    h->inst = o.inst;
    h->stack = stack;
    h->mode = mode;
    h->op = op;
    h->count = 1;
    h->flags = flags;
}

static void remove_at(struct dept_thread *t, uint32_t i) {
    uint32_t n = t->nheld;
    if (i + 1 < n) {
        memmove(&t->held[i], &t->held[i + 1], (n - i - 1) * sizeof t->held[0]);
        // The chains above the removed entry no longer include it.
        uint64_t prev = i ? t->held[i - 1].chain : 0x243f6a8885a308d3ull;
        for (uint32_t j = i; j < n - 1; j++) {
            t->held[j].chain = dept_mix(prev, ((uint64_t)t->held[j].cls << 16) | t->held[j].mode);
            prev = t->held[j].chain;
        }
    }
    t->nheld = n - 1;
}

bool dept_ecxt_exit(struct dept_thread *t, uintptr_t addr, uint16_t op, uintptr_t pc) {
    uint32_t i = t->nheld;
    while (i-- > 0)
        if (t->held[i].obj == addr) break;
    if (i == UINT32_MAX) return false;
    if (t->held[i].count > 1) { t->held[i].count--; return true; }
    uint32_t cls = t->held[i].cls;
    remove_at(t, i);
    // Remember where events of this class happen, once per site, so a
    // report can show the [E] stack.
    uint64_t key = dept_mix(dept_mix(TAG_EVENT ^ cls, op), pc);
    if (UNLIKELY(!dept_seen_get(t, key))) {
        uint32_t s = dept_capture_stack();
        dept_core_lock();
        dept_core_event_site(cls, op, s);
        dept_core_unlock();
        dept_seen_put(t, key, s ? s : 1);
    }
    return true;
}

void dept_drop_held(struct dept_thread *t, uintptr_t addr) {
    uint32_t i = t->nheld;
    while (i-- > 0)
        if (t->held[i].obj == addr) { remove_at(t, i); return; }
}

void dept_warn(uint32_t kind, struct dept_thread *t, uint32_t cls, bool with_stack) {
    uint32_t s = with_stack ? dept_capture_stack() : 0;
    dept_core_lock();
    dept_core_warning(kind, t ? t->tid : 0, cls, s);
    dept_core_unlock();
}
