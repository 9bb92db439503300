// dept-example: fiber_abba
// expect: potential
// objects: A B
// summary: a fiber (makecontext, on a 256 KiB heap stack) locks A then B and switches back to the main thread; a thread started after it locks B then A. The run completes, but the opposite orders can deadlock when the fiber runs while the thread holds B.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define STACK (256 << 10)

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static ucontext_t main_ctx, fiber_ctx;

// On a stack dept did not see a thread start on: its size is known from
// the context makecontext made, so the fiber's dependencies count.
static void fiber(void) {
    pthread_mutex_lock(&A);
    pthread_mutex_lock(&B);
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(&A);
}

static void *other(void *arg) {
    (void)arg;
    pthread_mutex_lock(&B);
    pthread_mutex_lock(&A);
    pthread_mutex_unlock(&A);
    pthread_mutex_unlock(&B);
    return NULL;
}

int main(void) {
    void *stack = malloc(STACK);
    if (!stack) return 1;
    getcontext(&fiber_ctx);
    fiber_ctx.uc_stack.ss_sp = stack;
    fiber_ctx.uc_stack.ss_size = STACK;
    fiber_ctx.uc_link = &main_ctx;
    makecontext(&fiber_ctx, fiber, 0);
    swapcontext(&main_ctx, &fiber_ctx);
    pthread_t t;
    pthread_create(&t, NULL, other, NULL);
    pthread_join(t, NULL);
    free(stack);
    puts("fiber_abba: done");
    return 0;
}
