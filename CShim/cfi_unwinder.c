// cfi_unwinder.c - dept's own reader of the DWARF unwind tables (the
// .eh_frame that GCC's unwinder reads), with a cache of frame rules per
// return address.
//
// Why: GCC's _Unwind_Backtrace finds each frame's FDE, parses its CIE and
// runs the call frame program from the function's start every time: about
// 2,000 instructions per frame, 18,000 per stack of dept's own frames and a
// short program stack. Stacks are captured whenever something new is
// recorded (a class, a dependency, an event site), so a program that meets
// 10,000 lock classes spent two thirds of its first round in the unwinder.
// The rule that finds a frame's caller depends only on the return address,
// so it is worked out once per address and then costs a table probe.
//
// What it follows: the frames of ordinary compiled code, whose canonical
// frame address (CFA) is the stack pointer or the frame pointer plus an
// offset, whose return address is saved at CFA-8 (every x86-64 call), and
// whose frame pointer is either kept or saved at an offset from the CFA.
// Anything else (a signal frame, an expression rule, a register rule for
// the frame pointer, a pc without unwind information, a table that is not
// the binary-search table every linker writes) makes dept_unwind_cfi return
// -1, and the caller unwinds that stack with GCC's unwinder instead: a
// stack is either followed exactly as GCC would or not at all.
//
// The cache is one word per entry (the address and the rule together), so
// threads fill and read it without a lock and never see half an entry.
// Unloading a library forgets it all (dept_unwind_cfi_forget), because
// another library may be mapped at the same addresses later.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "unwinder.h"

#define HIDDEN __attribute__((visibility("hidden")))

// DWARF registers on x86-64.
enum { REG_RBP = 6, REG_RSP = 7, REG_RA = 16 };

// ---- the rule of a frame -----------------------------------------------

/// How to find the caller of a frame: CFA = (rbp or rsp) + cfa_off, the
/// return address at CFA-8, the caller's rbp at CFA + rbp_off (or rbp kept
/// when rbp_off is 0); `end` when the return address is undefined (the
/// outermost frame, e.g. _start or a thread's start routine).
struct rule {
    bool cfa_rbp, end;
    int64_t cfa_off;
    int64_t rbp_off;
};

// ---- reading the tables ----------------------------------------------

static uint64_t uleb(const uint8_t **p, const uint8_t *end, bool *ok) {
    uint64_t v = 0;
    for (unsigned shift = 0; *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    *ok = false;
    return 0;
}

static int64_t sleb(const uint8_t **p, const uint8_t *end, bool *ok) {
    int64_t v = 0;
    unsigned shift = 0;
    uint8_t b = 0;
    do {
        if (*p >= end) { *ok = false; return 0; }
        b = *(*p)++;
        if (shift < 64) v |= (int64_t)(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40)) v |= -((int64_t)1 << shift);
    return v;
}

// DW_EH_PE_* pointer encodings: the value's format (low nibble) and what it
// is relative to (high nibble). Only the forms compilers and linkers write
// for .eh_frame are read; another form makes the frame unknown.
enum { PE_ABS = 0x00, PE_UDATA2 = 0x02, PE_UDATA4 = 0x03, PE_UDATA8 = 0x04, PE_SDATA2 = 0x0a, PE_SDATA4 = 0x0b,
       PE_SDATA8 = 0x0c, PE_PCREL = 0x10, PE_DATAREL = 0x30, PE_OMIT = 0xff };

static bool read_encoded(const uint8_t **p, const uint8_t *end, uint8_t enc, bool value_only, uintptr_t *out) {
    const uint8_t *at = *p;
    uint64_t v;
    size_t size;
    switch (enc & 0x0f) {
    case PE_ABS: case PE_UDATA8: case PE_SDATA8: size = 8; break;
    case PE_UDATA4: case PE_SDATA4: size = 4; break;
    case PE_UDATA2: case PE_SDATA2: size = 2; break;
    default: return false;
    }
    if ((size_t)(end - at) < size) return false;
    if (size == 8) { uint64_t x; memcpy(&x, at, 8); v = x; }
    else if (size == 4) {
        if ((enc & 0x0f) == PE_SDATA4) { int32_t x; memcpy(&x, at, 4); v = (uint64_t)(int64_t)x; }
        else { uint32_t x; memcpy(&x, at, 4); v = x; }
    } else {
        if ((enc & 0x0f) == PE_SDATA2) { int16_t x; memcpy(&x, at, 2); v = (uint64_t)(int64_t)x; }
        else { uint16_t x; memcpy(&x, at, 2); v = x; }
    }
    *p = at + size;
    if (!value_only) {
        switch (enc & 0x70) {
        case 0: break;
        case PE_PCREL: v += (uintptr_t)at; break;
        default: return false;
        }
        if (enc & 0x80) return false;     // indirect: not used for code addresses
    }
    *out = (uintptr_t)v;
    return true;
}

// The FDE covering pc, through the binary-search table of .eh_frame_hdr
// (the segment _dl_find_object names). 0 when there is none, or the table
// is of a form not read here.
static const uint8_t *find_fde(uintptr_t pc) {
    struct dl_find_object obj;
    if (_dl_find_object((void *)pc, &obj) != 0 || !obj.dlfo_eh_frame) return 0;
    const uint8_t *hdr = obj.dlfo_eh_frame;
    // version 1; eh_frame_ptr encoding; count encoding; table encoding.
    if (hdr[0] != 1 || hdr[3] != (PE_DATAREL | PE_SDATA4)) return 0;
    const uint8_t *p = hdr + 4, *lim = hdr + 4 + 16;
    uintptr_t eh_frame, count;
    if (!read_encoded(&p, lim, hdr[1], false, &eh_frame)) return 0;
    if (hdr[2] == PE_OMIT || !read_encoded(&p, lim, hdr[2], false, &count) || count == 0) return 0;
    const int32_t *table = (const int32_t *)p;     // pairs (initial location, FDE), relative to hdr
    intptr_t target = (intptr_t)(pc - (uintptr_t)hdr);
    size_t lo = 0, hi = count;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (table[2 * mid] <= target) lo = mid; else hi = mid;
    }
    if (table[2 * lo] > target) return 0;
    return hdr + table[2 * lo + 1];
}

// Return addresses: the call instruction ends at the address, which may be
// the first byte past a function that ends with the call.
bool dept_same_function(uintptr_t a, uintptr_t b) {
    const uint8_t *f = find_fde(a - 1);
    return f && f == find_fde(b - 1);
}

// The register rules tracked while running a call frame program: the CFA,
// and where rbp and the return address are (offset from the CFA, or
// kept / undefined). The caller's rsp is the CFA; a rule that says
// otherwise, or one the reader cannot follow for rbp or the return
// address, hands the stack to GCC's unwinder. Other registers do not
// matter to a walk.
enum { SAME, AT_OFFSET, UNDEFINED };
struct regs {
    uint8_t cfa_reg;
    int64_t cfa_off;
    uint8_t rbp_how, ra_how;
    int64_t rbp_off, ra_off;
};

struct cie {
    uint64_t code_align;
    int64_t data_align;
    uint64_t ra_reg;
    uint8_t fde_enc;
    bool has_aug_len;
    const uint8_t *insns, *end;
};

// An .eh_frame record (a CIE or an FDE): its end, and the word after its
// length (0 for a CIE, the distance back to its CIE for an FDE). false for
// the end marker and for 64-bit records, which .eh_frame does not use.
static bool record(const uint8_t *at, const uint8_t **end, int32_t *word) {
    uint32_t len;
    memcpy(&len, at, 4);
    if (len == 0 || len == 0xffffffffu) return false;
    *end = at + 4 + len;
    memcpy(word, at + 4, 4);
    return true;
}

static bool parse_cie(const uint8_t *c, struct cie *out) {
    const uint8_t *end, *p = c + 8;
    int32_t id;
    if (!record(c, &end, &id) || id != 0) return false;
    uint8_t version = *p++;
    if (version != 1 && version != 3) return false;
    const char *aug = (const char *)p;
    while (p < end && *p) p++;
    if (p >= end) return false;
    p++;
    bool ok = true;
    out->code_align = uleb(&p, end, &ok);
    out->data_align = sleb(&p, end, &ok);
    out->ra_reg = version == 1 ? (p < end ? *p++ : 0) : uleb(&p, end, &ok);
    out->fde_enc = PE_ABS;
    out->has_aug_len = aug[0] == 'z';
    if (!ok || out->ra_reg != REG_RA) return false;
    if (aug[0] == 'z') {
        uint64_t n = uleb(&p, end, &ok);
        const uint8_t *data_end = p + n;
        if (!ok || data_end > end) return false;
        for (const char *a = aug + 1; *a; a++) {
            uintptr_t ignored;
            switch (*a) {
            case 'R': if (p >= data_end) return false; out->fde_enc = *p++; break;
            case 'L': if (p >= data_end) return false; p++; break;
            case 'P': {
                if (p >= data_end) return false;
                uint8_t enc = *p++;
                // Only the size matters: the personality routine is not used.
                if (!read_encoded(&p, data_end, enc & 0x0f, true, &ignored)) return false;
                break;
            }
            // 'S' (a signal frame) and anything unknown: GCC's unwinder.
            default: return false;
            }
        }
        p = data_end;
    } else if (aug[0]) {
        return false;
    }
    out->insns = p;
    out->end = end;
    return true;
}

#define STATE_DEPTH 8

// reg is saved at `off` from the CFA. false: a rule for rsp, which the
// reader does not follow (the caller's rsp is the CFA).
static bool saved_at(struct regs *r, uint64_t reg, int64_t off) {
    if (reg == REG_RSP) return false;
    if (reg == REG_RBP) { r->rbp_how = AT_OFFSET; r->rbp_off = off; }
    else if (reg == REG_RA) { r->ra_how = AT_OFFSET; r->ra_off = off; }
    return true;
}

// reg's rule goes back to the CIE's (`initial`; NULL inside the CIE).
static bool restore(struct regs *r, const struct regs *initial, uint64_t reg) {
    if (!initial) return false;
    if (reg == REG_RBP) { r->rbp_how = initial->rbp_how; r->rbp_off = initial->rbp_off; }
    else if (reg == REG_RA) { r->ra_how = initial->ra_how; r->ra_off = initial->ra_off; }
    return true;
}

// Runs a call frame program up to (and including) the row for `target`.
// false: an instruction the reader cannot follow.
static bool run(const uint8_t *p, const uint8_t *end, const struct cie *c, uintptr_t loc, uintptr_t target,
                struct regs *r, const struct regs *initial) {
    struct regs saved[STATE_DEPTH];
    int nsaved = 0;
    bool ok = true;
    while (p < end && ok) {
        uint8_t op = *p++;
        uint64_t reg, delta = 0;
        switch (op & 0xc0) {
        case 0x40:                                         // advance_loc
            delta = op & 0x3f;
            goto advance;
        case 0x80:                                         // offset
            reg = op & 0x3f;
            if (!saved_at(r, reg, (int64_t)uleb(&p, end, &ok) * c->data_align)) return false;
            continue;
        case 0xc0:                                         // restore
            if (!restore(r, initial, op & 0x3f)) return false;
            continue;
        }
        switch (op) {
        case 0x00: break;                                  // nop
        case 0x02: case 0x03: case 0x04: {                 // advance_loc1, 2, 4
            size_t size = op == 0x02 ? 1 : op == 0x03 ? 2 : 4;
            if ((size_t)(end - p) < size) return false;
            uint32_t d = 0;
            memcpy(&d, p, size);                           // little-endian
            p += size;
            delta = d;
            goto advance;
        }
        case 0x05:                                         // offset_extended
            reg = uleb(&p, end, &ok);
            if (!saved_at(r, reg, (int64_t)uleb(&p, end, &ok) * c->data_align)) return false;
            break;
        case 0x11:                                         // offset_extended_sf
            reg = uleb(&p, end, &ok);
            if (!saved_at(r, reg, sleb(&p, end, &ok) * c->data_align)) return false;
            break;
        case 0x06:                                         // restore_extended
            if (!restore(r, initial, uleb(&p, end, &ok))) return false;
            break;
        case 0x07:                                         // undefined
            reg = uleb(&p, end, &ok);
            if (reg == REG_RA) r->ra_how = UNDEFINED;
            else if (reg == REG_RBP || reg == REG_RSP) return false;
            break;
        case 0x08:                                         // same_value
            reg = uleb(&p, end, &ok);
            if (reg == REG_RBP) r->rbp_how = SAME;
            else if (reg == REG_RA || reg == REG_RSP) return false;
            break;
        case 0x09:                                         // register
            reg = uleb(&p, end, &ok); (void)uleb(&p, end, &ok);
            if (reg == REG_RBP || reg == REG_RA || reg == REG_RSP) return false;
            break;
        case 0x0a:                                         // remember_state
            if (nsaved == STATE_DEPTH) return false;
            saved[nsaved++] = *r;
            break;
        case 0x0b:                                         // restore_state
            // The whole row, the CFA rule included, as GCC's unwinder does
            // (compilers emit epilogues that rely on it).
            if (!nsaved) return false;
            *r = saved[--nsaved];
            break;
        case 0x0c:                                         // def_cfa
            r->cfa_reg = (uint8_t)uleb(&p, end, &ok);
            r->cfa_off = (int64_t)uleb(&p, end, &ok);
            break;
        case 0x12:                                         // def_cfa_sf
            r->cfa_reg = (uint8_t)uleb(&p, end, &ok);
            r->cfa_off = sleb(&p, end, &ok) * c->data_align;
            break;
        case 0x0d: r->cfa_reg = (uint8_t)uleb(&p, end, &ok); break;           // def_cfa_register
        case 0x0e: r->cfa_off = (int64_t)uleb(&p, end, &ok); break;           // def_cfa_offset
        case 0x13: r->cfa_off = sleb(&p, end, &ok) * c->data_align; break;    // def_cfa_offset_sf
        case 0x10: case 0x16: {                                               // (val_)expression
            reg = uleb(&p, end, &ok);
            uint64_t n = uleb(&p, end, &ok);
            if (!ok || n > (uint64_t)(end - p)) return false;
            p += n;
            if (reg == REG_RBP || reg == REG_RA || reg == REG_RSP) return false;
            break;
        }
        case 0x14: case 0x15:                                                 // val_offset(_sf)
            reg = uleb(&p, end, &ok);
            if (op == 0x14) (void)uleb(&p, end, &ok); else (void)sleb(&p, end, &ok);
            if (reg == REG_RBP || reg == REG_RA || reg == REG_RSP) return false;
            break;
        case 0x2e: (void)uleb(&p, end, &ok); break;                           // GNU_args_size
        // set_loc, def_cfa_expression, GNU_negative_offset_extended, vendor
        // extensions: GCC's unwinder.
        default: return false;
        }
        continue;
    advance:
        // The rows from here on are for code past target.
        loc += delta * c->code_align;
        if (loc > target) return true;
    }
    return ok;
}

// The FDE whose range covers target, its CIE, where its fields after the
// range start (*p) and where it ends, and the range's start.
static bool covering_fde(uintptr_t target, struct cie *c, const uint8_t **p, const uint8_t **end, uintptr_t *begin) {
    const uint8_t *f = find_fde(target);
    int32_t cie_off;
    if (!f || !record(f, end, &cie_off) || cie_off == 0) return false;
    *p = f + 8;
    if (!parse_cie(f + 4 - cie_off, c)) return false;
    uintptr_t range;
    if (!read_encoded(p, *end, c->fde_enc, false, begin) || !read_encoded(p, *end, c->fde_enc & 0x0f, true, &range))
        return false;
    return target >= *begin && target - *begin < range;
}

// Return address pc follows a call inside a function the unwind tables
// describe: code, mapped and readable.
bool dept_return_in_code(uintptr_t pc) {
    struct cie c;
    const uint8_t *p, *end;
    uintptr_t begin;
    return pc > 1 && covering_fde(pc - 1, &c, &p, &end, &begin);
}

// Works out the rule of the frame whose return address is pc (the call is
// at pc - 1). false when GCC's unwinder must be asked.
static bool derive(uintptr_t pc, struct rule *out) {
    uintptr_t target = pc - 1;
    struct cie c;
    const uint8_t *p, *end;
    uintptr_t begin;
    if (!covering_fde(target, &c, &p, &end, &begin)) return false;
    if (c.has_aug_len) {
        bool ok = true;
        uint64_t n = uleb(&p, end, &ok);
        if (!ok || n > (uint64_t)(end - p)) return false;
        p += n;
    }
    struct regs r = { REG_RSP, 0, SAME, UNDEFINED, 0, 0 };
    if (!run(c.insns, c.end, &c, begin, target, &r, 0)) return false;
    struct regs initial = r;
    if (!run(p, end, &c, begin, target, &r, &initial)) return false;
    if (r.cfa_reg != REG_RSP && r.cfa_reg != REG_RBP) return false;
    out->cfa_rbp = r.cfa_reg == REG_RBP;
    out->cfa_off = r.cfa_off;
    out->rbp_off = r.rbp_how == AT_OFFSET ? r.rbp_off : 0;
    out->end = r.ra_how == UNDEFINED;
    if (out->end) return true;
    // The return address of every x86-64 call is pushed at CFA-8.
    if (r.ra_how != AT_OFFSET || r.ra_off != -8) return false;
    if (r.rbp_how == AT_OFFSET && r.rbp_off == 0) return false;
    return true;
}

// ---- the cache ---------------------------------------------------------

// Sets of CACHE_WAYS entries, chosen by the return address's low bits xored
// with its page number (cache_set); an entry is the address above
// CACHE_SET_BITS and the rule packed in one word:
//   bits 0..11  the CFA offset / 8 (unsigned)     bit 12  CFA from rbp
//   bit 13      outermost frame                   bits 14..21  rbp's offset / 8 (signed, 0: kept)
//   bit 22      valid                             bits 23..63  pc >> CACHE_SET_BITS
// A rule that does not fit (a frame of more than 32 KiB, an offset not a
// multiple of 8) is worked out each time.
//
// Not direct-mapped by the address's low bits: libraries are mapped at page
// boundaries, so two return addresses of one stack (a hook in libdept.so,
// the program's call site) with the same offset in their pages took the
// same entry and evicted each other on every capture. One rebuild of
// libdept.so moved its code so that this happened to every stack of
// scale_classes' first round: unwinding went from 22M to 52M instructions.
#define CACHE_SET_BITS 10
#define CACHE_WAYS 4
static _Alignas(64) _Atomic uint64_t cache[1u << CACHE_SET_BITS][CACHE_WAYS];

static bool pack(uintptr_t pc, const struct rule *r, uint64_t *out) {
    if (pc >> (CACHE_SET_BITS + 41)) return false;
    if (r->cfa_off < 0 || r->cfa_off % 8 || r->cfa_off / 8 >= (1 << 12)) return false;
    if (r->rbp_off % 8 || r->rbp_off / 8 < -128 || r->rbp_off / 8 > 127) return false;
    *out = (uint64_t)(r->cfa_off / 8) | (uint64_t)r->cfa_rbp << 12 | (uint64_t)r->end << 13
           | (uint64_t)(uint8_t)(int8_t)(r->rbp_off / 8) << 14 | 1ull << 22 | (uint64_t)(pc >> CACHE_SET_BITS) << 23;
    return true;
}

static _Atomic unsigned long derived;
HIDDEN unsigned long dept_unwind_cfi_derived(void) { return atomic_load_explicit(&derived, memory_order_relaxed); }

static _Atomic uint64_t *cache_set(uintptr_t pc) {
    // The low bits, xored with bits of the page number above them: the
    // entry names the bits above, and with them the set gives back the low
    // bits, so one set never holds two addresses that look alike. Folded
    // rather than multiplied: the lookup is most of a warm capture's time.
    return cache[(pc ^ (pc >> 12)) & ((1u << CACHE_SET_BITS) - 1)];
}

static bool lookup(uintptr_t pc, struct rule *out) {
    _Atomic uint64_t *set = cache_set(pc);
    // A valid entry for pc: its high bits and the valid bit, whatever the rule.
    uint64_t want = (uint64_t)(pc >> CACHE_SET_BITS) << 23 | 1ull << 22;
    for (int w = 0; w < CACHE_WAYS; w++) {
        uint64_t e = atomic_load_explicit(&set[w], memory_order_relaxed);
        if ((e & ~((1ull << 22) - 1)) == want) {
            out->cfa_off = (int64_t)(e & 0xfff) * 8;
            out->cfa_rbp = e >> 12 & 1;
            out->end = e >> 13 & 1;
            out->rbp_off = (int64_t)(int8_t)(uint8_t)(e >> 14) * 8;
            return true;
        }
    }
    atomic_fetch_add_explicit(&derived, 1, memory_order_relaxed);
    if (!derive(pc, out)) return false;
    uint64_t e;
    if (pack(pc, out, &e)) {
        // A free way, else one the address picks.
        int to = (int)(pc >> 2) & (CACHE_WAYS - 1);
        for (int w = 0; w < CACHE_WAYS; w++)
            if (!atomic_load_explicit(&set[w], memory_order_relaxed)) { to = w; break; }
        atomic_store_explicit(&set[to], e, memory_order_relaxed);
    }
    return true;
}

HIDDEN bool dept_unwind_cfi_sp_rule(uintptr_t pc, uint32_t *cfa_off) {
    struct rule r;
    if (!lookup(pc, &r) || r.end || r.cfa_rbp || r.cfa_off <= 0 || r.cfa_off >= 4096) return false;
    *cfa_off = (uint32_t)r.cfa_off;
    return true;
}

// Bumped when the rules are forgotten: a walk proven under the old rules
// may be another walk under the new ones.
static _Atomic uint32_t rules_gen;

HIDDEN void dept_unwind_cfi_forget(void) {
    atomic_fetch_add_explicit(&rules_gen, 1, memory_order_relaxed);
    for (size_t i = 0; i < sizeof cache / sizeof cache[0][0]; i++)
        atomic_store_explicit(&cache[i / CACHE_WAYS][i % CACHE_WAYS], 0, memory_order_relaxed);
}

// ---- the walk ----------------------------------------------------------

// The walk from the frame above the caller's (rbp, pc, sp: see below).
// With a proof, notes each word it reads, the frame pointers only once a
// frame finds its CFA through one (until then their value makes no
// difference: a frame that uses rbp as an ordinary register saves whatever
// it held, a different value on every call).
static int walk(void **pcs, int max, uintptr_t rbp, uintptr_t pc, uintptr_t sp, struct dept_walk_proof *proof) {
    const uintptr_t sp0 = sp;
    // Where the current rbp came from: -1 the start, else a check's index
    // (kept only if used: bit 15 marks an unused one).
    int32_t rbp_from = -1;
    uint32_t k = 0;
    bool keep = proof != 0;
    int n = 0;
    while (n < max && pc) {
        pcs[n++] = (void *)pc;
        struct rule r;
        if (!lookup(pc, &r)) return -1;
        if (r.end) break;
        if (r.cfa_rbp && keep) {
            if (rbp_from < 0) proof->rbp_used = 1;
            else proof->at[rbp_from] &= (uint16_t)~(1u << 15);
        }
        uintptr_t cfa = (r.cfa_rbp ? rbp : sp) + (uintptr_t)r.cfa_off;
        // A caller's frame is above its callee's: anything else is a rule
        // this reader got wrong, and GCC's unwinder decides.
        if (cfa <= sp) return -1;
        // Kept as 15-bit word offsets: a proof covers 256 KiB of stack.
        if (keep && (k + 2 > DEPT_WALK_CHECKS || (cfa - sp0) % 8 || cfa - sp0 + (uintptr_t)r.rbp_off >= (1u << 18) - 8))
            keep = false;
        if (r.rbp_off) {
            const uintptr_t *at = (const uintptr_t *)(cfa + (uintptr_t)r.rbp_off);
            rbp = *at;
            if (keep) {
                proof->at[k] = (uint16_t)(((uintptr_t)at - sp0) / 8 | 1u << 15);
                proof->word[k] = rbp;
                rbp_from = (int32_t)k++;
            }
        }
        pc = *(const uintptr_t *)(cfa - 8);
        if (keep) {
            proof->at[k] = (uint16_t)((cfa - 8 - sp0) / 8);
            proof->word[k++] = pc;
        }
        sp = cfa;
    }
    if (proof) {
        // The frame pointers nothing used are not part of the proof.
        uint32_t used = 0;
        for (uint32_t i = 0; keep && i < k; i++)
            if (!(proof->at[i] >> 15)) {
                proof->at[used] = proof->at[i];
                proof->word[used++] = proof->word[i];
            }
        proof->nchecks = (uint8_t)used;
        if (!keep) proof->max = 0;
    }
    return n;
}

HIDDEN __attribute__((noinline)) int dept_unwind_cfi(void **pcs, int max) {
    if (max <= 0) return 0;
    // This function keeps a frame pointer (asking for it makes it so): the
    // caller's rbp is saved at [fp], the return address at [fp+8], and the
    // caller's stack pointer after the return is fp+16.
    uintptr_t *fp = __builtin_frame_address(0);
    return walk(pcs, max, fp[0], fp[1], (uintptr_t)(fp + 2), 0);
}

static bool holds(const struct dept_walk_proof *p, uintptr_t rbp, uintptr_t pc, uintptr_t sp, int max, uint32_t gen) {
    if (p->max != max || p->sp != sp || p->pc != pc || p->gen != gen || (p->rbp_used && p->rbp != rbp)) return false;
    // In the walk's order: each address is one the walk would read now, as
    // long as the words before it are the same.
    for (uint32_t i = 0; i < p->nchecks; i++)
        if (*(const uintptr_t *)(sp + (uintptr_t)p->at[i] * 8) != p->word[i]) return false;
    return true;
}

HIDDEN int dept_unwind_cfi_from(void **pcs, int max, uintptr_t rbp, uintptr_t pc, uintptr_t sp,
                                struct dept_walk_memo *memos, int nmemos, int *slot) {
    if (max <= 0) return 0;
    if (!memos) return walk(pcs, max, rbp, pc, sp, 0);
    uint32_t gen = atomic_load_explicit(&rules_gen, memory_order_relaxed);
    for (int i = 0; i < nmemos; i++)
        if (holds(&memos[i].proof, rbp, pc, sp, max, gen)) {
            *slot = i;
            return -2;
        }
    // Only the header: the checks are written as the walk goes.
    struct dept_walk_proof *p = &memos[*slot].proof;
    p->sp = sp;
    p->pc = pc;
    p->rbp = rbp;
    p->gen = gen;
    p->max = (int16_t)max;
    p->rbp_used = 0;
    p->nchecks = 0;
    int n = walk(pcs, max, rbp, pc, sp, p);
    if (n < 0) p->max = 0;
    return n;
}

HIDDEN __attribute__((noinline)) int dept_unwind_cfi_memo(void **pcs, int max, struct dept_walk_memo *memos,
                                                          int nmemos, int *slot) {
    uintptr_t *fp = __builtin_frame_address(0);
    return dept_unwind_cfi_from(pcs, max, fp[0], fp[1], (uintptr_t)(fp + 2), memos, nmemos, slot);
}
