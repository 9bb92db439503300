// dept-example: hostile_fiber
// expect: silent
// objects: m
// summary: the main thread builds a few thousand dependencies among 256 mutexes, always the lower index first, then switches (swapcontext) 2000 times into a fiber on a 16 KiB stack that takes a new pair of them, below 6 KiB of its own frames, and switches back. The fiber's stack lies in the middle of a heap block, with a painted margin below it that must come back untouched. No cycle.
//
// Hostile because: a hook on a coroutine's or fiber's stack (swapcontext,
// boost.context, folly's fibers of 16 KiB) ran dept's core there, whose
// cycle search took 12 KiB of it here and can take 20: dept wrote below
// it, into the heap. The core is now entered only where 64 KiB are known
// to be left: not on this fiber (makecontext names its 16 KiB), nor on a
// stack whose size nothing names (boost.context's).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define N 256
#define ROUNDS 2000
#define STACK (16 << 10)
#define MARGIN (64 << 10)
#define PAINT 0xa5

static pthread_mutex_t m[N];
static ucontext_t main_ctx, fiber_ctx;

static void pair(int i, int j) {
    if (i > j) { int k = i; i = j; j = k; }
    pthread_mutex_lock(&m[i]);
    pthread_mutex_lock(&m[j]);
    pthread_mutex_unlock(&m[j]);
    pthread_mutex_unlock(&m[i]);
}

static __attribute__((noinline)) void rounds(void) {
    for (int r = 0; r < ROUNDS; r++) {
        pair(r % N, (r * 7 + 3) % N);
        swapcontext(&fiber_ctx, &main_ctx);
    }
}

// The rounds run below 6 KiB of the fiber's own frames, as a task runs
// below its scheduler's: about 10 KiB of the 16 are left for them and dept.
static void fiber(void) {
    volatile char frames[6 << 10];
    frames[0] = frames[sizeof frames - 1] = 0;
    rounds();
}

int main(void) {
    alarm(10);
    for (int i = 0; i < N; i++) pthread_mutex_init(&m[i], NULL);
    for (int i = 0; i < N; i++)
        for (int k = 1; k <= 8; k++) pair(i, (i + k * 13) % N);
    unsigned char *block = malloc(MARGIN + STACK);
    if (!block) return 1;
    memset(block, PAINT, MARGIN + STACK);
    getcontext(&fiber_ctx);
    fiber_ctx.uc_stack.ss_sp = block + MARGIN;
    fiber_ctx.uc_stack.ss_size = STACK;
    fiber_ctx.uc_link = &main_ctx;
    makecontext(&fiber_ctx, fiber, 0);
    for (int r = 0; r < ROUNDS; r++) swapcontext(&main_ctx, &fiber_ctx);
    size_t untouched = 0;
    while (untouched < MARGIN && block[untouched] == PAINT) untouched++;
    if (untouched < MARGIN) {
        fprintf(stderr, "hostile_fiber: %zu bytes written below the fiber's %d-byte stack\n", MARGIN - untouched, STACK);
        return 1;
    }
    free(block);
    puts("hostile_fiber: done");
    return 0;
}
