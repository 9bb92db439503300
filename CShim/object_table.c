// object_table.c - identity of synchronisation objects.
//
// Maps an object's address to its class and instance without a lock on the
// lookup path: an open-addressing table readers probe lock-free. Insertions,
// destroys and growth are serialised by a spin lock (they are the slow path:
// the first use of an object). A destroyed object leaves a tombstone, so a
// new object at the same address becomes a new instance (and, if it is
// initialised elsewhere, a new class): reused memory never merges two locks.
#include "shim.h"
#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>
#include <string.h>
#include <sched.h>
#include <errno.h>
#include <sys/auxv.h>

#define EMPTY 0u
#define TOMB 1u

DEPT_HIDDEN _Atomic uint32_t dept_unload_generation;
_Atomic uint64_t dept_obj_gen = 1;
_Atomic uint32_t dept_addr_gen[DEPT_ADDR_GENS];
static struct obj_table tables[48];
_Atomic(struct obj_table *) dept_obj_current;
#define current dept_obj_current
static int ntables;
static DEPT_LONE(dept_spin) table_lock = { DEPT_SPIN_INIT };
static _Atomic uint32_t next_inst;

// Class keys: key kind + key -> class id. Only touched under table_lock.
struct class_slot { uint64_t key; uint32_t cls; };
static struct class_slot *classes;
static uint64_t class_mask, class_used;
static uint32_t next_class = 1;

// Under table_lock: addr no longer means the object it meant. Every writer
// of the generations holds the lock, so a plain increment suffices: the
// locked one and the lock's own were most of the destroy hook's time in a
// program that destroys millions of mutexes. Readers load them relaxed
// (dept_acq_gen).
static void addr_changed(uintptr_t addr) {
    _Atomic uint32_t *g = dept_addr_gen_of(addr);
    atomic_store_explicit(g, atomic_load_explicit(g, memory_order_relaxed) + 1, memory_order_relaxed);
}

// Instance ids are unique for the process's life. A thread takes them from
// the shared counter a block at a time: the counter's locked increment was,
// with the table lock's, most of insert's time in a program that makes
// millions of objects. Callers are inside dept (the thread's guard is
// taken), so no signal handler's hook takes an id in between. Ids no longer
// follow creation order across threads; nothing compares them.
#define INST_BLOCK 16
static __thread struct { uint32_t next, end; } inst_block __attribute__((tls_model("initial-exec")));

static uint32_t new_instance(void) {
    if (UNLIKELY(inst_block.next == inst_block.end)) {
        inst_block.next = atomic_fetch_add_explicit(&next_inst, INST_BLOCK, memory_order_relaxed);
        inst_block.end = inst_block.next + INST_BLOCK;
        // Id 0 means none: a block that wraps past it skips it.
        if (UNLIKELY(!inst_block.next)) inst_block.next++;
    }
    return inst_block.next++;
}

// populate: the table is about to be filled all over (a rehash into it,
// or a hashed one that grows as it fills), so its pages are made at once.
// Touched one at a time, each page was faulted twice: the probe for a free
// slot reads it first, which maps the shared zero page, and the write then
// copies it (scale_classes: 750 of its first round's page faults were the
// class table's and the grown object table's).
static void *raw_alloc(size_t bytes, bool populate) {
    void *p = mmap(0, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : MAP_NORESERVE), -1, 0);
    return p == MAP_FAILED ? 0 : p;
}

#define hash_addr dept_hash_addr

static struct obj_table *table_new(uint64_t nslots, bool populate) {
    if (ntables >= (int)(sizeof tables / sizeof tables[0])) return 0;
    struct obj_slot *s = raw_alloc(nslots * sizeof *s, populate);
    if (!s) return 0;
    struct obj_table *t = &tables[ntables++];
    t->slots = s; t->mask = nslots - 1; t->used = 0; t->live = 0;
    return t;
}

// Under table_lock: the current table, created on first use.
static struct obj_table *table_get(void) {
    struct obj_table *t = atomic_load_explicit(&current, memory_order_relaxed);
    if (!t) {
        t = table_new(1u << 14, false);
        atomic_store_explicit(&current, t, memory_order_release);
    }
    return t;
}

#define probe dept_obj_probe

// Under table_lock: position of addr, or of the first free slot for it.
static uint64_t find_slot(struct obj_table *t, uintptr_t addr, bool *found) {
    uint64_t tomb = UINT64_MAX;
    for (uint64_t i = hash_addr(addr) & t->mask;; i = (i + 1) & t->mask) {
        uintptr_t a = atomic_load_explicit(&t->slots[i].addr, memory_order_relaxed);
        if (a == addr) { *found = true; return i; }
        if (a == TOMB && tomb == UINT64_MAX) tomb = i;
        if (a == EMPTY) { *found = false; return tomb != UINT64_MAX ? tomb : i; }
    }
}

// Under table_lock: grows (or just rehashes away tombstones) when crowded.
// Readers still probing the old table find it zeroed and take the slow
// path, which re-checks the current table under the lock.
static __attribute__((noinline)) struct obj_table *grow(struct obj_table *t) {
    uint64_t n = (t->mask + 1) * ((t->live + 1) * 4 > t->mask + 1 ? 2 : 1);
    struct obj_table *nt = table_new(n, true);
    if (!nt) return t;     // no room: keep probing the crowded table
    for (uint64_t i = 0; i <= t->mask; i++) {
        uintptr_t a = atomic_load_explicit(&t->slots[i].addr, memory_order_relaxed);
        if (a <= TOMB) continue;
        bool f;
        uint64_t j = find_slot(nt, a, &f);
        atomic_store_explicit(&nt->slots[j].ref, atomic_load_explicit(&t->slots[i].ref, memory_order_relaxed), memory_order_relaxed);
        atomic_store_explicit(&nt->slots[j].addr, a, memory_order_relaxed);
        nt->used++; nt->live++;
    }
    atomic_store_explicit(&current, nt, memory_order_release);
    madvise(t->slots, (t->mask + 1) * sizeof *t->slots, MADV_DONTNEED);
    return nt;
}

static inline struct obj_table *maybe_grow(struct obj_table *t) {
    return LIKELY((t->used + 1) * 2 <= t->mask + 1) ? t : grow(t);
}

// ---- classes ----------------------------------------------------------

static bool class_grow(void) {
    uint64_t n = classes ? (class_mask + 1) * 2 : 1024;
    struct class_slot *c = raw_alloc(n * sizeof *c, true);
    if (!c) return false;
    if (classes) {
        for (uint64_t i = 0; i <= class_mask; i++) {
            if (!classes[i].cls) continue;
            uint64_t j = hash_addr(classes[i].key) & (n - 1);
            while (c[j].cls) j = (j + 1) & (n - 1);
            c[j] = classes[i];
        }
        munmap(classes, (class_mask + 1) * sizeof *classes);
    }
    classes = c; class_mask = n - 1;
    return true;
}

// Under table_lock. Sets *fresh when the class did not exist.
static uint32_t class_for(uint64_t key, bool *fresh) {
    if (!classes || (class_used + 1) * 2 > class_mask + 1) {
        if (!class_grow() && !classes) return 0;
    }
    uint64_t j = hash_addr(key) & class_mask;
    for (; classes[j].cls; j = (j + 1) & class_mask)
        if (classes[j].key == key) { *fresh = false; return classes[j].cls; }
    classes[j].key = key;
    classes[j].cls = next_class++;
    class_used++;
    *fresh = true;
    return classes[j].cls;
}

// glibc's program break, which sbrk(0) returns (read here without the call).
extern void *__curbrk;

// Where the main heap starts at the latest: the end of the executable's
// mapping, after which the kernel puts the program break (1: unknown).
static _Atomic uintptr_t heap_floor;

// The end of the executable's last load segment, its bss included, from
// the program headers the kernel loaded. _dl_find_object's end of the
// executable's map was the end of its text when the linker gave a bss
// aligned past a page a segment of its own (a table aligned to 64 KiB):
// the statics in that bss then lay between this floor and the break, were
// taken for heap objects and classed by their first use
// (Examples/static_aligned_abba).
static uintptr_t find_heap_floor(void) {
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    size_t n = getauxval(AT_PHNUM);
    uintptr_t base = 0, end = 0;
    bool based = false;
    for (size_t i = 0; ph && i < n; i++)
        if (ph[i].p_type == PT_PHDR) { base = (uintptr_t)ph - ph[i].p_vaddr; based = true; }
    for (size_t i = 0; based && i < n; i++)
        if (ph[i].p_type == PT_LOAD && base + ph[i].p_vaddr + ph[i].p_memsz > end) end = base + ph[i].p_vaddr + ph[i].p_memsz;
    if (end) return end;
    // No PT_PHDR (the loader run as the program, `ld.so ./prog`): the map
    // of the image the kernel loaded, the loader itself.
    struct dl_find_object exe;
    uintptr_t entry = (uintptr_t)getauxval(AT_ENTRY);
    if (!entry || _dl_find_object((void *)entry, &exe) != 0) return 1;
    return (uintptr_t)exe.dlfo_map_end;
}

// A static object (in a loaded module's data or bss) is its own class.
// _dl_find_object is lock-free, unlike dladdr, so this is safe even while
// another thread holds the loader lock. An object of the main heap (the
// main thread's malloc), between the executable's end and the program
// break, is answered without it: no module is mapped there (the kernel
// maps them from the top of the address space down, or from a third of it
// up, and the break's random offset is at most 32 MiB), and the lookup was
// 8% of the instructions of a program that makes millions of heap mutexes.
static bool is_static_storage(uintptr_t addr) {
    uintptr_t lo = atomic_load_explicit(&heap_floor, memory_order_relaxed);
    if (UNLIKELY(!lo)) {
        lo = find_heap_floor();
        atomic_store_explicit(&heap_floor, lo, memory_order_relaxed);
    }
    if (lo > 1 && addr >= lo && addr < (uintptr_t)__curbrk) return false;
    struct dl_find_object r;
    return _dl_find_object((void *)addr, &r) == 0;
}

static void announce(uint32_t cls, uint32_t kind, uint32_t key_kind, uintptr_t key, const uintptr_t *prefix,
                     uint32_t nprefix, uintptr_t object);


// The class key of a zero-initialised object (DESIGN §4), and the site it
// is named by: its first use AND that site's caller. The first use is often
// inside an out-of-line wrapper shared by every lock of the program
// (std::mutex::lock in a -O0 build), which would otherwise put all of them
// in one class. (An explicit init site is classed in init_sites.c.)
static uint64_t first_use_key(uintptr_t site, uintptr_t *name_pc) {
    *name_pc = site;
    uintptr_t f[2];
    int n = dept_caller_frames(f, 2);
    if (n < 2 || f[0] != site) return site;
    *name_pc = f[1];
    return site ^ (f[1] * 0x9e3779b97f4a7c15ull);
}

// The class of the last explicit init site this thread classed: a program
// makes its millions of objects at a few sites, and the classes table is
// only read under the table lock. Such a key's class never changes.
static __thread struct { uint64_t ckey; uint32_t cls; } last_site_class __attribute__((tls_model("initial-exec")));

// Inlined into its two callers: each gets the half it needs (an init has
// no first-use key to find, a first use no init site to class), and the
// init hook's call through one more frame, to save errno, was a tenth of
// the insertion.
static inline __attribute__((always_inline)) struct dept_obj_ref insert(uintptr_t addr, uint32_t kind, uintptr_t site,
                                                                        bool explicit_init) {
    uint32_t key_kind;
    uintptr_t key;
    uint64_t hashed;
    uintptr_t prefix[DEPT_FUNNEL_DEPTH];
    uint32_t nprefix = 0;
    // The instance id first: the core may keep its init call string.
    uint32_t inst = explicit_init ? new_instance() : 0;
    uintptr_t object = 0;
    // An explicit init names the class by its call site wherever the object
    // lives, as lockdep's lock_init does: an array of locks initialised in a
    // loop (hash buckets, pages) is one class whose instances nest in order,
    // not thousands of classes whose pairs fill the class graph. Only an
    // object never initialised at run time (PTHREAD_MUTEX_INITIALIZER) is
    // a class of its own address.
    if (explicit_init) {
        key_kind = DEPT_KEY_INIT_SITE;
        hashed = dept_init_class_key(site, inst, &key, prefix, &nprefix);
    } else if (is_static_storage(addr)) { key_kind = DEPT_KEY_STATIC; key = addr; hashed = addr; }
    else {
        key_kind = DEPT_KEY_FIRST_USE;
        hashed = first_use_key(site, &key);
    }
    uint64_t ckey = ((uint64_t)key_kind << 56) ^ ((uint64_t)kind << 52) ^ hashed;
    // After a library was unloaded, a static address may belong to another
    // object: static keys of a new generation never meet the old ones.
    if (key_kind == DEPT_KEY_STATIC) ckey ^= (uint64_t)atomic_load(&dept_unload_generation) << 47;

    bool fresh = false;
    struct dept_obj_ref ref = { 0, 0, addr };
    dept_spin_take(&table_lock.v);
    struct obj_table *t = table_get();
    bool found = false;
    uint64_t i = find_slot(t, addr, &found);
    if (found && !explicit_init) {
        uint64_t r = atomic_load_explicit(&t->slots[i].ref, memory_order_relaxed);
        dept_spin_drop(&table_lock.v);
        ref.cls = (uint32_t)(r >> 32); ref.inst = (uint32_t)r;
        return ref;
    }
    if (found) {
        // Re-initialised without destroy: a new life for this address.
        atomic_store_explicit(&t->slots[i].addr, TOMB, memory_order_release);
        t->live--;
        addr_changed(addr);
    }
    struct obj_table *before = t;
    t = maybe_grow(t);
    bool cached = key_kind == DEPT_KEY_INIT_SITE && last_site_class.ckey == ckey && last_site_class.cls;
    ref.cls = cached ? last_site_class.cls : class_for(ckey, &fresh);
    if (key_kind == DEPT_KEY_INIT_SITE && !cached) { last_site_class.ckey = ckey; last_site_class.cls = ref.cls; }
    ref.inst = inst ? inst : new_instance();
    if (ref.cls) {
        // The free slot found above serves unless it was this address's
        // own (now a tombstone the search should reuse) or the table moved.
        if (found || t != before) i = find_slot(t, addr, &found);
        if (t->used + 1 <= t->mask) {
            bool was_empty = atomic_load_explicit(&t->slots[i].addr, memory_order_relaxed) == EMPTY;
            atomic_store_explicit(&t->slots[i].ref, ((uint64_t)ref.cls << 32) | ref.inst, memory_order_relaxed);
            atomic_store_explicit(&t->slots[i].addr, addr, memory_order_release);
            if (was_empty) t->used++;
            t->live++;
        }
    }
    dept_spin_drop(&table_lock.v);
    // Where an explicitly initialised object lives matters only to a new
    // class (a static one may be asked to be classed per object): asked for
    // every init, the loader's answer was a tenth of the insertion.
    if (fresh && explicit_init && is_static_storage(addr)) object = addr;
    if (fresh && object) dept_class_mark_per_object(ref.cls);
    if (fresh && kind == DEPT_OBJ_MUTEX) dept_class_mark_pthread_mutex(ref.cls);
    if (fresh) announce(ref.cls, kind, key_kind, key, prefix, nprefix, object);
    return ref;
}

// Tells the core about a class the first time it is seen. Outside the table
// lock: stack capture may enter the loader.
static void announce(uint32_t cls, uint32_t kind, uint32_t key_kind, uintptr_t key, const uintptr_t *prefix,
                     uint32_t nprefix, uintptr_t object) {
    uint32_t stack = dept_capture_stack();
    dept_core_lock();
    dept_core_class(cls, kind, key_kind, key, stack, prefix, nprefix, object);
    dept_core_unlock();
}

bool dept_obj_find(uintptr_t addr, struct dept_obj_ref *out) {
    struct obj_table *t = atomic_load_explicit(&current, memory_order_acquire);
    uint64_t r = t ? probe(t, addr) : 0;
    if (!r) {
        // The table may have just grown: check the current one under the lock.
        dept_spin_take(&table_lock.v);
        t = table_get();
        bool found = false;
        uint64_t i = find_slot(t, addr, &found);
        if (found) r = atomic_load_explicit(&t->slots[i].ref, memory_order_relaxed);
        dept_spin_drop(&table_lock.v);
    }
    if (!r) return false;
    out->cls = (uint32_t)(r >> 32); out->inst = (uint32_t)r; out->addr = addr;
    return true;
}

struct dept_obj_ref dept_obj_new(uint32_t kind, uintptr_t site) {
    bool fresh = false;
    uint64_t ckey = ((uint64_t)DEPT_KEY_INIT_SITE << 56) ^ ((uint64_t)kind << 52) ^ site;
    dept_spin_take(&table_lock.v);
    struct dept_obj_ref ref = { class_for(ckey, &fresh), new_instance() };
    dept_spin_drop(&table_lock.v);
    if (fresh) announce(ref.cls, kind, DEPT_KEY_INIT_SITE, site, 0, 0, 0);
    return ref;
}

struct dept_obj_ref dept_obj_instance_of(uint32_t cls) {
    return (struct dept_obj_ref){ cls, new_instance() };
}

void dept_obj_bind(uintptr_t addr, struct dept_obj_ref ref) {
    dept_spin_take(&table_lock.v);
    addr_changed(addr);
    struct obj_table *t = maybe_grow(table_get());
    bool found = false;
    uint64_t i = find_slot(t, addr, &found);
    if (found || t->used + 1 <= t->mask) {
        bool was_empty = atomic_load_explicit(&t->slots[i].addr, memory_order_relaxed) == EMPTY;
        if (found) atomic_store_explicit(&t->slots[i].addr, TOMB, memory_order_release);
        atomic_store_explicit(&t->slots[i].ref, ((uint64_t)ref.cls << 32) | ref.inst, memory_order_relaxed);
        atomic_store_explicit(&t->slots[i].addr, addr, memory_order_release);
        if (was_empty) t->used++;
        if (!found) t->live++;
    }
    dept_spin_drop(&table_lock.v);
}

struct dept_obj_ref dept_obj_lookup_slow(uintptr_t addr, uint32_t kind, uintptr_t site) {
    // A NULL object is never stored (0 marks an empty slot): a fresh
    // instance each time, the real call crashes right after as it would
    // without dept.
    int e = errno;
    struct dept_obj_ref r = UNLIKELY(addr == 0) ? dept_obj_new(kind, site) : insert(addr, kind, site, false);
    errno = e;
    return r;
}

struct dept_obj_ref dept_obj_init(uintptr_t addr, uint32_t kind, uintptr_t site) {
    int e = errno;
    struct dept_obj_ref r = insert(addr, kind, site, true);
    errno = e;
    return r;
}

uint32_t dept_obj_destroy(uintptr_t addr) {
    dept_spin_take(&table_lock.v);
    addr_changed(addr);
    struct obj_table *t = table_get();
    bool found = false;
    uint32_t inst = 0;
    uint64_t i = find_slot(t, addr, &found);
    if (found) {
        inst = (uint32_t)atomic_load_explicit(&t->slots[i].ref, memory_order_relaxed);
        atomic_store_explicit(&t->slots[i].addr, TOMB, memory_order_release);
        t->live--;
    }
    dept_spin_drop(&table_lock.v);
    return inst;
}

// Fork: the table must not be copied mid-update, so the forking thread
// holds the lock across fork() (phase 0 before, 1 after in either process).
void dept_objects_atfork(int phase) {
    if (phase == 0) dept_spin_take(&table_lock.v);
    else dept_spin_drop(&table_lock.v);
}

// A library was unloaded: every object inside its mapping is gone.
void dept_obj_forget_range(uintptr_t lo, uintptr_t hi) {
    atomic_fetch_add(&dept_obj_gen, 1);
    dept_spin_take(&table_lock.v);
    struct obj_table *t = table_get();
    for (uint64_t i = 0; i <= t->mask; i++) {
        uintptr_t a = atomic_load_explicit(&t->slots[i].addr, memory_order_relaxed);
        if (a >= lo && a < hi && a > TOMB) {
            atomic_store_explicit(&t->slots[i].addr, TOMB, memory_order_release);
            t->live--;
        }
    }
    dept_spin_drop(&table_lock.v);
}
