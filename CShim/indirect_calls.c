// indirect_calls.c - whether a return address follows a call through a
// function pointer. The class of an object made by a wrapper is named by
// its init call string up to the code that decided what the object is
// (DeptCore/Funnels.swift); a call through a pointer held in a register or
// in memory reached from one is where generic machinery (GObject's
// g_type_create_instance calling each type's instance_init, a C++ virtual
// factory, a plugin's constructor table) hands over to that code. The
// frames past it say who asked for the object, not what it is, and a
// funnel found among them split one kind of lock into as many classes as
// its creators (every GStreamer element's state lock, made on one line of
// gst_element_init). x86-64 only: elsewhere no call is taken for one.
#include "shim.h"
#include "unwinder.h"
#include <link.h>

#if defined(__x86_64__)
// The encodings of `call` with opcode FF /2 whose operand is a register or
// memory addressed through one (mod/rm of the byte after FF), each ending
// at the return address; prefixes (REX.B, notrack) come before and do not
// change the length of the part matched. A call through the GOT (FF 15,
// RIP-relative: code built with -fno-plt) is a direct call in disguise.
static bool ends_indirect_call(const uint8_t *r) {
    if (r[-2] == 0xff) {
        uint8_t m = r[-1];
        if ((m & 0xf8) == 0xd0) return true;                          // call *%reg
        if ((m & 0xf8) == 0x10 && m != 0x14 && m != 0x15) return true; // call *(%reg)
    }
    if (r[-3] == 0xff) {
        uint8_t m = r[-2];
        if ((m & 0xf8) == 0x50 && m != 0x54) return true;             // call *d8(%reg)
        if (m == 0x14 && (r[-1] & 7) != 5) return true;               // call *(%base,%idx,s)
    }
    if (r[-4] == 0xff && r[-3] == 0x54) return true;                  // call *d8(%base,%idx,s)
    if (r[-6] == 0xff && (r[-5] & 0xf8) == 0x90 && r[-5] != 0x94) return true;  // call *d32(%reg)
    if (r[-7] == 0xff && r[-6] == 0x94) return true;                  // call *d32(%base,%idx,s)
    return false;
}

// A direct call (E8 rel32) whose bytes happen to end like an indirect one:
// its target lies in the object that makes the call. Looked up only for
// such bytes, which are rare.
static bool direct_call(uintptr_t ret) {
    const uint8_t *r = (const uint8_t *)ret;
    if (r[-5] != 0xe8) return false;
    int32_t rel;
    __builtin_memcpy(&rel, r - 4, sizeof rel);
    uintptr_t target = ret + (uintptr_t)(intptr_t)rel;
    struct dl_find_object o;
    return _dl_find_object((void *)ret, &o) == 0 && target >= (uintptr_t)o.dlfo_map_start
           && target < (uintptr_t)o.dlfo_map_end;
}
#endif

bool dept_after_indirect_call(uintptr_t ret) {
#if defined(__x86_64__)
    // Only code is read: a return address inside a function the unwind
    // tables describe (an address a bad frame made up may lie in a hole
    // of an object's mapping), and only its page: one too near the start
    // of its page is not looked at.
    if ((ret & 0xfff) < 8 || !dept_return_in_code(ret)) return false;
    return ends_indirect_call((const uint8_t *)ret) && !direct_call(ret);
#else
    (void)ret;
    return false;
#endif
}
