// dept-example: unwind_shapes_abba
// expect: potential
// objects: left right
// summary: an AB-BA inversion whose acquisitions are reached through the frame shapes a stack unwinder meets in -O2 code: frameless recursion, a frame whose CFA follows the frame pointer because of alloca (called with two sizes), a frame built with a frame pointer, and, for main's acquisition of left, a signal handler's frame; dept's cached unwinder (unwinder=dwarf, the default) must give every stack exactly as GCC's unwinder does (unwinder=gcc).
// build: cc -g -O2 -pthread -o $OUT/unwind_shapes_abba Examples/unwind_shapes_abba.c
//
// The worker takes left then right; main, once the worker is done, takes
// right and then, in a SIGUSR1 handler it raises itself, left. The order is
// inverted, nothing hangs (the two never overlap).
#define _GNU_SOURCE
#include <alloca.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t left = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t right = PTHREAD_MUTEX_INITIALIZER;
static volatile int sink;

static __attribute__((noinline)) void take_left_then_right(void) {
    pthread_mutex_lock(&left);
    pthread_mutex_lock(&right);
    sink++;
    pthread_mutex_unlock(&right);
    pthread_mutex_unlock(&left);
}

// Built with a frame pointer whatever the flags say.
static __attribute__((noinline, optimize("no-omit-frame-pointer"))) void with_frame_pointer(void) {
    take_left_then_right();
    __asm__ volatile("" ::: "memory");
}

// alloca makes the compiler address the frame through rbp: the CFA rule is
// rbp-based and the stack pointer at the call depends on n.
static __attribute__((noinline)) void with_alloca(size_t n) {
    char *buf = alloca(n);
    memset(buf, 1, n);
    __asm__ volatile("" : : "r"(buf) : "memory");
    with_frame_pointer();
    sink += buf[n - 1];
}

// Frameless at -O2; not a tail call, so every level keeps its frame.
static __attribute__((noinline)) int descend(int n, size_t bytes) {
    if (n == 0) with_alloca(bytes);
    else descend(n - 1, bytes);
    __asm__ volatile("" ::: "memory");
    return n + 1;
}

static void *worker(void *arg) {
    (void)arg;
    descend(6, 64);
    descend(6, 4000);
    return NULL;
}

static void on_usr1(int sig) {
    (void)sig;
    pthread_mutex_lock(&left);
    sink++;
    pthread_mutex_unlock(&left);
}

int main(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) return 1;
    pthread_join(t, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_mutex_lock(&right);
    raise(SIGUSR1);
    pthread_mutex_unlock(&right);
    printf("unwind_shapes_abba: done\n");
    return 0;
}
