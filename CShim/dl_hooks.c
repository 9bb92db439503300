// dl_hooks.c - dlclose: when a library is unloaded (and with it the
// libraries only it needed), their static locks die with them and their
// addresses may carry other objects later (another library, or fresh memory
// mapped there). Forget every object in their ranges, and start a new
// generation of static class keys, so nothing merges across lifetimes.
// Their module records are kept (module_list.c): stacks captured while
// they were mapped are printed later.
#define _GNU_SOURCE
#include "shim.h"
#include "unwinder.h"
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <string.h>

DEFINE_REAL(int, dlclose, void *)

DEPT_HIDDEN void dept_obj_forget_range(uintptr_t lo, uintptr_t hi);
DEPT_HIDDEN extern _Atomic uint32_t dept_unload_generation;

// When no memory is left for a snapshot of every module: the closed
// library alone, as the loader names it (its dependencies go unnoticed),
// with its name kept in `name` (the loader frees its own).
static void snapshot_alone(void *handle, struct dept_module_snapshot *s, struct dept_mapped *alone,
                           char name[static 4096]) {
    struct link_map *lm = 0;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm || !lm->l_name) return;
    strncpy(name, lm->l_name, 4095);
    name[4095] = 0;
    if (!dept_module_find(lm->l_addr, name, &alone->m, &alone->lo)) return;
    alone->m.path = name;
    s->mods = alone;
    s->n = 1;
}

DEPT_EXPORT int dlclose(void *handle) {
    resolve_dlclose();
    struct dept_thread *t = dept_enter();
    if (!t) return REAL(dlclose)(handle);
    int e = errno;
    // Every module mapped now, not only the one closed: the libraries only
    // it needed are unmapped with it (VLC's codec plugin takes libavcodec
    // along), and their locks and frames are gone as much as its own.
    struct dept_module_snapshot before = { 0 };
    struct dept_mapped alone;
    char name[4096];
    if (!dept_modules_snapshot(&before)) snapshot_alone(handle, &before, &alone, name);
    dept_leave();
    errno = e;
    int r = REAL(dlclose)(handle);
    // The unwinder's frame rules are per address; a library mapped there
    // later has others. (A library loaded and unwound through by another
    // thread between the unmapping and this line could still meet an old
    // rule: that takes a dlopen landing at the same address within
    // microseconds.)
    if (r == 0) dept_unwind_cfi_forget();
    e = errno;
    if (r == 0 && dept_enter()) {
        if (dept_modules_unmapped(&before)) {
            atomic_fetch_add(&dept_unload_generation, 1);
            for (uint32_t i = 0; i < before.n; i++) {
                if (!before.mods[i].gone) continue;
                dept_obj_forget_range(before.mods[i].lo, before.mods[i].m.end);
                // A record without its name (the snapshot ran out of room
                // for it) would be read as the program's own.
                if (before.mods[i].m.path[0]) dept_module_gone(&before.mods[i].m);
            }
        }
        dept_leave();
    }
    dept_modules_release(&before);
    errno = e;
    return r;
}
