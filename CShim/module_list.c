// module_list.c - the modules a stack's addresses belong to, for
// symbolization and the JSON module map: those mapped now, and those the
// program unloaded. A frame captured while a plugin was mapped (its lock
// order, the stack of a class it initialised) is printed after the
// program dlclose'd it, at the next report or at exit: without the
// plugin's record it was "??", and a class first used there was named
// "init@+0x0". Plugin hosts unload their modules at shutdown (rsyslog's
// output modules, VLC's), when reports are printed. An unloaded module's
// file usually stays on disk, so the symbolizer still reads it.
#define _GNU_SOURCE
#include "shim.h"
#include <link.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

// Unloaded modules kept, the first ones: a program that loads and unloads
// the same plugin again and again, at one address or at a few, records
// each place once and numbers its latest unload (gone_last), by which the
// reader orders them. No lock: a slot is
// claimed, written, then marked ready, so a fork or a report at any
// moment reads only whole records. Room for thousands, because the module
// that matters is often the last one unloaded: a plugin host that scans
// its plugins at start-up loads and unloads every one of them (VLC without
// its plugin cache: hundreds), then unloads the few it used at shutdown,
// when reports are printed; with room for the first 256, those were lost
// and their classes printed as "init@+0x0". Paths share one buffer, and
// its pages, like the records', are only made when written.
#define GONE_MAX 8192
#define GONE_PATHS (1u << 20)
static struct dept_module gone[GONE_MAX];
static char gone_paths[GONE_PATHS];
static _Atomic uint32_t gone_ready[GONE_MAX];
static _Atomic uint32_t gone_last[GONE_MAX];
static _Atomic uint32_t gone_clock;
static _Atomic uint32_t ngone;
static _Atomic uint32_t gone_path_used;

// The address range and build id of a loaded object, from its program
// headers.
static void describe(const struct dl_phdr_info *info, struct dept_module *m, uintptr_t *lo_out) {
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    const uint8_t *bid = 0; uint32_t bidlen = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type == PT_LOAD) {
            uintptr_t a = info->dlpi_addr + p->p_vaddr;
            if (a < lo) lo = a;
            if (a + p->p_memsz > hi) hi = a + p->p_memsz;
        } else if (p->p_type == PT_NOTE && !bid) {
            const uint8_t *note = (const uint8_t *)(info->dlpi_addr + p->p_vaddr);
            const uint8_t *end = note + p->p_memsz;
            while (note + 12 <= end) {
                uint32_t namesz = *(const uint32_t *)note, descsz = *(const uint32_t *)(note + 4), type = *(const uint32_t *)(note + 8);
                const uint8_t *name = note + 12;
                const uint8_t *desc = name + ((namesz + 3) & ~3u);
                if (type == 3 && namesz == 4 && memcmp(name, "GNU", 4) == 0) {
                    bid = desc; bidlen = descsz > 20 ? 20 : descsz;
                    break;
                }
                note = desc + ((descsz + 3) & ~3u);
            }
        }
    }
    m->base = info->dlpi_addr;
    m->end = hi;
    m->path = info->dlpi_name;
    m->build_id_len = bidlen;
    m->unloaded = 0;
    if (bidlen) memcpy(m->build_id, bid, bidlen);
    if (lo_out) *lo_out = lo;
}

struct mod_iter { struct dept_module *out; uint32_t cap, n; };

static int each_module(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    struct mod_iter *it = arg;
    if (it->n < it->cap) describe(info, &it->out[it->n], 0);
    it->n++;
    return 0;
}

uint32_t dept_shim_modules(struct dept_module *out, uint32_t cap) {
    struct mod_iter it = { out, cap, 0 };
    dl_iterate_phdr(each_module, &it);
    // Mapped modules first: an address a later library reuses is its.
    // Then the unloaded ones, each with the number of its latest unload: a
    // host that scans its plugins maps one after another at the same
    // address, and the one unloaded last is the one whose frames a report
    // at exit shows (the reader orders them; no allocation here).
    uint32_t n = atomic_load_explicit(&ngone, memory_order_acquire);
    if (n > GONE_MAX) n = GONE_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (!atomic_load_explicit(&gone_ready[i], memory_order_acquire)) continue;
        if (it.n < cap) {
            out[it.n] = gone[i];
            out[it.n].unloaded = atomic_load_explicit(&gone_last[i], memory_order_relaxed);
        }
        it.n++;
    }
    return it.n;
}

struct find_query { uintptr_t base; const char *name; struct dept_module *m; uintptr_t lo; bool found; };

static int find_one(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    struct find_query *q = arg;
    if (info->dlpi_addr != q->base || !info->dlpi_name || strcmp(info->dlpi_name, q->name) != 0) return 0;
    describe(info, q->m, &q->lo);
    q->found = true;
    return 1;
}

bool dept_module_find(uintptr_t base, const char *name, struct dept_module *m, uintptr_t *lo) {
    struct find_query q = { base, name, m, 0, false };
    dl_iterate_phdr(find_one, &q);
    if (q.found && lo) *lo = q.lo;
    return q.found;
}

void dept_module_gone(const struct dept_module *m) {
    // Recorded already (a plugin loaded and unloaded again and again, here
    // or at a place it had before): only its latest unload is new. Two
    // plugins unloaded in turns at one address keep two records, not one
    // per unload, so the records never fill with them.
    uint32_t when = atomic_fetch_add_explicit(&gone_clock, 1, memory_order_relaxed) + 1;
    if (!when) when = 1;   // 0 reads as mapped
    uint32_t n = atomic_load_explicit(&ngone, memory_order_acquire);
    if (n > GONE_MAX) n = GONE_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (!atomic_load_explicit(&gone_ready[i], memory_order_acquire)) continue;
        if (gone[i].base == m->base && gone[i].end == m->end && strcmp(gone[i].path, m->path ? m->path : "") == 0) {
            atomic_store_explicit(&gone_last[i], when, memory_order_relaxed);
            return;
        }
    }
    const char *path = m->path ? m->path : "";
    uint32_t len = (uint32_t)strnlen(path, 4095);
    if (atomic_load_explicit(&ngone, memory_order_relaxed) >= GONE_MAX) return;
    // Reserved only while it fits: a counter that went on growing past the
    // end would wrap after enough unloads and land inside the buffer again.
    uint32_t at = atomic_load_explicit(&gone_path_used, memory_order_relaxed);
    do {
        if (at > GONE_PATHS - (len + 1)) return;
    } while (!atomic_compare_exchange_weak_explicit(&gone_path_used, &at, at + len + 1, memory_order_relaxed,
                                                    memory_order_relaxed));
    uint32_t slot = atomic_fetch_add_explicit(&ngone, 1, memory_order_relaxed);
    if (slot >= GONE_MAX) return;
    memcpy(gone_paths + at, path, len);
    gone_paths[at + len] = 0;
    gone[slot] = *m;
    gone[slot].path = gone_paths + at;
    atomic_store_explicit(&gone_last[slot], when, memory_order_relaxed);
    atomic_store_explicit(&gone_ready[slot], 1, memory_order_release);
}

// ---- what a dlclose unmapped ------------------------------------------

struct snap_fill { struct dept_module_snapshot *s; uint32_t cap; char *names, *names_end; };

struct snap_count { uint32_t n; size_t names; };

static int count_one(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    struct snap_count *c = arg;
    c->n++;
    c->names += strnlen(info->dlpi_name ? info->dlpi_name : "", 4095) + 1;
    return 0;
}

static int fill_one(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    struct snap_fill *f = arg;
    struct dept_module_snapshot *s = f->s;
    if (s->n == f->cap) return 1;   // more than counted a moment ago: the rest are not judged
    struct dept_mapped *e = &s->mods[s->n];
    describe(info, &e->m, &e->lo);
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    size_t len = strnlen(name, 4095);
    if (f->names + len + 1 <= f->names_end) {
        memcpy(f->names, name, len);
        f->names[len] = 0;
        e->m.path = f->names;
        f->names += len + 1;
    } else {
        e->m.path = "";
    }
    e->gone = false;
    s->n++;
    return 0;
}

bool dept_modules_snapshot(struct dept_module_snapshot *s) {
    struct snap_count c = { 0, 0 };
    dl_iterate_phdr(count_one, &c);
    // Room for 16 more, loaded by other threads in between, names and all.
    uint32_t cap = c.n + 16;
    size_t names = c.names + 16 * 4096;
    size_t bytes = cap * sizeof(struct dept_mapped) + names;
    void *mem = mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return false;
    *s = (struct dept_module_snapshot){ .mods = mem, .mem = mem, .bytes = bytes };
    struct snap_fill f = { s, cap, (char *)((struct dept_mapped *)mem + cap), (char *)mem + bytes };
    dl_iterate_phdr(fill_one, &f);
    return true;
}

// Still mapped: something is mapped where the module lay. Either the
// module itself, or a library another thread loaded after closing it (this
// thread's own library is unmapped only at the end of its dlclose, after
// every nested load): that one's objects are not this dlclose's to forget,
// and the thread that closed the old one judges it.
static int mapped_one(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    struct dept_module_snapshot *s = arg;
    struct dept_module now;
    uintptr_t lo;
    describe(info, &now, &lo);
    for (uint32_t i = 0; i < s->n; i++) {
        struct dept_mapped *e = &s->mods[i];
        if (e->gone && e->lo < now.end && lo < e->m.end) e->gone = false;
    }
    return 0;
}

uint32_t dept_modules_unmapped(struct dept_module_snapshot *s) {
    for (uint32_t i = 0; i < s->n; i++) s->mods[i].gone = true;
    dl_iterate_phdr(mapped_one, s);
    uint32_t k = 0;
    for (uint32_t i = 0; i < s->n; i++) k += s->mods[i].gone;
    return k;
}

void dept_modules_release(struct dept_module_snapshot *s) {
    if (s->mem) munmap(s->mem, s->bytes);
    s->mem = 0;
}
