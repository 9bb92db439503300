// dept-example: lock_wrapper_stacks
// expect: potential
// objects: a b
// summary: every lock goes through the program's own two-level wrapper (sys_lock calls fast_lock calls pthread_mutex_lock), as NCBI's, Tcl's or libuv's do. warm_up takes a six times through it; then main takes a then b (take_ab) and ctx-BA takes b then a (take_ba), through the same wrapper: an AB-BA inversion. Each [S] must show where its lock was really taken (take_ab for a), not the first acquisition of that lock through the wrapper (warm_up), and the headline names the callers of the wrapper, not the wrapper.
// build: cc -g -O1 -pthread -o $OUT/lock_wrapper_stacks Examples/lock_wrapper_stacks.c
//
// The wrapper's call of pthread_mutex_lock is one call site for every lock
// of the program. dept remembers an acquisition's stack per situation (what
// is held, the class, the call site): keyed by that site alone, take_ab's
// acquisition of a, made with nothing held like warm_up's, was answered with
// warm_up's stack, a critical section long over.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static volatile int sink;

__attribute__((noinline)) static void fast_lock(pthread_mutex_t *m) {
    pthread_mutex_lock(m);
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void sys_lock(pthread_mutex_t *m) {
    fast_lock(m);
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void fast_unlock(pthread_mutex_t *m) {
    pthread_mutex_unlock(m);
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void sys_unlock(pthread_mutex_t *m) {
    fast_unlock(m);
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void warm_up(void) {
    sys_lock(&a); // warm-up: a taken here first
    sink++;
    sys_unlock(&a);
}

__attribute__((noinline)) static void take_ab(void) {
    sys_lock(&a); // take_ab: a held from here
    sys_lock(&b); // take_ab: b taken holding a
    sink++;
    sys_unlock(&b);
    sys_unlock(&a);
}

__attribute__((noinline)) static void take_ba(void) {
    sys_lock(&b); // take_ba: b held from here
    sys_lock(&a); // take_ba: a taken holding b
    sink++;
    sys_unlock(&a);
    sys_unlock(&b);
}

static void *ba(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-BA");
    take_ba();
    return NULL;
}

int main(void) {
    for (int i = 0; i < 6; i++) warm_up();
    take_ab();
    // After take_ab: the inversion completes.
    pthread_t t;
    pthread_create(&t, NULL, ba, NULL);
    pthread_join(t, NULL);
    printf("lock_wrapper_stacks: done\n");
    return 0;
}
