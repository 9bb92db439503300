// dept-example: lock_wrapper_rwlock_stacks
// expect: potential
// objects: a b
// summary: lock_wrapper_stacks with rwlocks: every write lock goes through the program's own two-level wrapper (sys_lock calls fast_lock calls pthread_rwlock_wrlock). warm_up takes a six times through it; then main takes a then b (take_ab) and ctx-BA takes b then a (take_ba): an AB-BA inversion. a's [S] must show take_ab, not warm_up, and the headline names the callers of the wrapper.
// build: cc -g -O1 -pthread -o $OUT/lock_wrapper_rwlock_stacks Examples/lock_wrapper_rwlock_stacks.c
//
// The wrapper's call of pthread_rwlock_wrlock is one call site for every lock
// of the program. dept remembers an acquisition's stack per situation (what
// is held, the class, the call site): keyed by that site alone, take_ab's
// acquisition of a, made with nothing held like warm_up's, was answered with
// warm_up's stack, a critical section long over.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_rwlock_t a = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t b = PTHREAD_RWLOCK_INITIALIZER;
static volatile int sink;

__attribute__((noinline)) static void fast_lock(pthread_rwlock_t *m) {
    pthread_rwlock_wrlock(m);
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void sys_lock(pthread_rwlock_t *m) {
    fast_lock(m);
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void fast_unlock(pthread_rwlock_t *m) {
    pthread_rwlock_unlock(m);
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void sys_unlock(pthread_rwlock_t *m) {
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
    printf("lock_wrapper_rwlock_stacks: done\n");
    return 0;
}
