// dept-example: lock_wrapper_trylock_stacks
// expect: potential
// objects: a b
// summary: lock_wrapper_stacks with a trylock wrapper: a is always taken through sys_trylock (which calls fast_trylock, which calls pthread_mutex_trylock), b through sys_lock. warm_up takes a six times; then main takes a (take_ab, by trylock) and, holding it, waits for b; ctx-BA holds b and waits for a: an AB-BA inversion. a's [S] must show take_ab, not warm_up.
// build: cc -g -O1 -pthread -o $OUT/lock_wrapper_trylock_stacks Examples/lock_wrapper_trylock_stacks.c
//
// A trylock that succeeds starts a context like a lock does; its stack is
// remembered per situation like a lock's, so through a wrapper the same
// holds: keyed by the wrapper's call site alone, take_ab's trylock of a was
// answered with warm_up's stack.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static volatile int sink;

__attribute__((noinline)) static void fast_trylock(pthread_mutex_t *m) {
    while (pthread_mutex_trylock(m) != 0) sched_yield();
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void sys_trylock(pthread_mutex_t *m) {
    fast_trylock(m);
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void sys_lock(pthread_mutex_t *m) {
    pthread_mutex_lock(m);
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void sys_unlock(pthread_mutex_t *m) {
    pthread_mutex_unlock(m);
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void warm_up(void) {
    sys_trylock(&a); // warm-up: a taken here first
    sink++;
    sys_unlock(&a);
}

// b through the trylock wrapper too, from another place: a second class
// there.
__attribute__((noinline)) static void probe_b(void) {
    sys_trylock(&b);
    sink++;
    sys_unlock(&b);
}

__attribute__((noinline)) static void take_ab(void) {
    sys_trylock(&a); // take_ab: a held from here
    sys_lock(&b);    // take_ab: b taken holding a
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
    probe_b();
    take_ab();
    // After take_ab: the inversion completes.
    pthread_t t;
    pthread_create(&t, NULL, ba, NULL);
    pthread_join(t, NULL);
    printf("lock_wrapper_trylock_stacks: done\n");
    return 0;
}
