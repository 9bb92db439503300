// sync_memo.c - a thread's memo of the semaphores, condition variables and
// eventfds it used last (dept_sync_lookup in shim.h): its miss path.
//
// Every operation on one of those needs the object (class and instance,
// from the object table) and its record (sync_state.c), two hash probes
// that cost a semaphore post and take a tenth of what dept adds to them. A
// thread keeps the answers for the addresses it used last, each valid in
// the address's generation as read before the lookups (dept_acq_gen, the
// acquisition cache's), which a destroy, re-initialisation or rebinding of
// the address moves; a record is given to another object only after its
// object's destroy.
#include "shim.h"

_Static_assert(DEPT_SYNC_MEMO_SETS == 8, "dept_sync_lookup takes the set from the hash's top 3 bits");

struct dept_sync *dept_sync_lookup_miss(struct dept_sync_memo *set, uintptr_t addr, uint32_t kind, uintptr_t site,
                                        uint64_t gen, struct dept_obj_ref *o) {
    *o = dept_obj_lookup(addr, kind, site);
    struct dept_sync *sy = dept_sync_get(o->inst);
    // NULL is never remembered (its lookups make a new instance each time),
    // nor an object whose record memory ran out.
    if (sy && addr) {
        set[1] = set[0];
        set[0] = (struct dept_sync_memo){ addr, gen, o->cls, o->inst, sy };
    }
    return sy;
}
