// dept-example: lock_wrapper_crowded
// expect: potential
// objects: a b
// summary: a lock wrapper (my_lock) called from 1,200 places, as an interpreter's lock helper is called from the frames of whatever script code runs: each new call string would be a new situation and a slow path, so after 1,024 of them dept names the wrapper's acquisitions by its call site again (stats=1 says so). Then take_ab takes a then b and take_ba b then a through the same wrapper: the inversion is still reported, and its headline still names the wrapper's callers.
// build: cc -g -O1 -pthread -o $OUT/lock_wrapper_crowded Examples/lock_wrapper_crowded.c
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static volatile int sink;

__attribute__((noinline)) static void my_lock(pthread_mutex_t *m) {
    pthread_mutex_lock(m);
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void my_unlock(pthread_mutex_t *m) {
    pthread_mutex_unlock(m);
    __asm__ volatile("" ::: "memory");
}

// 1,200 distinct call sites of the wrapper, each taking a once.
#define ONCE my_lock(&a); sink++; my_unlock(&a);
#define X10(x) x x x x x x x x x x
#define X100(x) X10(X10(x))
__attribute__((noinline)) static void crowd(void) { X100(ONCE) X100(ONCE) X100(ONCE) X100(ONCE) X100(ONCE) X100(ONCE)
                                                    X100(ONCE) X100(ONCE) X100(ONCE) X100(ONCE) X100(ONCE) X100(ONCE) }

__attribute__((noinline)) static void take_ab(void) {
    my_lock(&a); // take_ab: a held from here
    my_lock(&b); // take_ab: b taken holding a
    sink++;
    my_unlock(&b);
    my_unlock(&a);
}

__attribute__((noinline)) static void take_ba(void) {
    my_lock(&b); // take_ba: b held from here
    my_lock(&a); // take_ba: a taken holding b
    sink++;
    my_unlock(&a);
    my_unlock(&b);
}

static void *ba(void *arg) {
    (void)arg;
    take_ba();
    return NULL;
}

int main(void) {
    // Two classes through the wrapper, from places that part: a wrapper.
    take_ab();
    crowd();
    pthread_t t;
    pthread_create(&t, NULL, ba, NULL);
    pthread_join(t, NULL);
    printf("lock_wrapper_crowded: done\n");
    return 0;
}
