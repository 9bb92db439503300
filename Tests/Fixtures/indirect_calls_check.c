// Checks CShim/indirect_calls.c against real calls (LibraryTests): a return
// address after a call through a pointer, one after a direct call, and
// bytes in read-only data that end like `call *%rax`, which are no return
// address at all and must not be read as one (they lie in the program's
// mapping but in no function). Exit status 0 when every answer is right.
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

bool dept_after_indirect_call(uintptr_t ret);
bool dept_return_in_code(uintptr_t pc);

static uintptr_t seen;
__attribute__((noinline)) static void callee(void) {
    seen = (uintptr_t)__builtin_return_address(0);
    __asm__ volatile("" ::: "memory");
}
static void (*volatile through)(void) = callee;

// Page-aligned, so the fake call ends 64 bytes into a page.
__attribute__((aligned(4096))) static const unsigned char data[128] = { [62] = 0xff, [63] = 0xd0 };

int main(void) {
    int bad = 0;
    through();
    uintptr_t indirect = seen;
    callee();
    uintptr_t direct = seen;
    uintptr_t fake = (uintptr_t)&data[64];
    bool a = dept_after_indirect_call(indirect), b = dept_after_indirect_call(direct);
    bool c = dept_after_indirect_call(fake), d = dept_return_in_code(fake), e = dept_return_in_code(indirect);
    printf("indirect %d direct %d data %d data-in-code %d indirect-in-code %d\n", a, b, c, d, e);
    if (!a || b || c || d || !e) bad = 1;
    return bad;
}
