// dl_hooks.c - dlclose: when a library is unloaded, its static locks die with
// it and their addresses may carry other objects later (another library, or
// fresh memory mapped there). Forget every object in its range, and start a
// new generation of static class keys, so nothing merges across lifetimes.
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

struct range_query { uintptr_t base; const char *name; uintptr_t lo, hi; bool found; };

static int find_range(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    struct range_query *q = arg;
    if (info->dlpi_addr != q->base || !info->dlpi_name || strcmp(info->dlpi_name, q->name) != 0) return 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type != PT_LOAD) continue;
        uintptr_t a = info->dlpi_addr + p->p_vaddr;
        if (a < lo) lo = a;
        if (a + p->p_memsz > hi) hi = a + p->p_memsz;
    }
    q->lo = lo; q->hi = hi; q->found = true;
    return 1;
}

DEPT_EXPORT int dlclose(void *handle) {
    resolve_dlclose();
    struct dept_thread *t = dept_enter();
    if (!t) return REAL(dlclose)(handle);
    int e = errno;
    struct range_query q = { 0, 0, 0, 0, false };
    char name[4096] = "";
    struct link_map *lm = 0;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name) {
        strncpy(name, lm->l_name, sizeof name - 1);
        q.base = lm->l_addr;
        q.name = name;
        dl_iterate_phdr(find_range, &q);
    }
    dept_leave();
    errno = e;
    int r = REAL(dlclose)(handle);
    // The unwinder's frame rules are per address; a library mapped there
    // later has others. (A library loaded and unwound through by another
    // thread between the unmapping and this line could still meet an old
    // rule: that takes a dlopen landing at the same address within
    // microseconds.)
    if (r == 0) dept_unwind_cfi_forget();
    if (r == 0 && q.found && dept_enter()) {
        e = errno;
        struct range_query again = { q.base, name, 0, 0, false };
        dl_iterate_phdr(find_range, &again);
        if (!again.found) {
            atomic_fetch_add(&dept_unload_generation, 1);
            dept_obj_forget_range(q.lo, q.hi);
        }
        dept_leave();
        errno = e;
    }
    return r;
}
