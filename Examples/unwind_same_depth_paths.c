// dept-example: unwind_same_depth_paths
// expect: potential
// objects: A B
// summary: one thread takes A then B through path_one, then B then A through path_two: an AB-BA inversion whose every acquisition is a new situation captured at the same stack depth through the same helper, the two paths differing only in the frame that called it; each stack must name its own path, exactly as GCC's unwinder gives it (unwinder=gcc).
// build: cc -g -O2 -pthread -o $OUT/unwind_same_depth_paths Examples/unwind_same_depth_paths.c
//
// dept keeps a thread's recent stack walks with what they read on the stack
// and answers a capture that starts where one of them started, and finds the
// same words there, with that walk's stack. Both paths enter the helper from
// frames of one shape, so every capture in path_two starts exactly where one
// in path_one did and reads the same words up to the helper's return
// address: only that word tells the two apart.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static volatile int sink;

// Addressed through its frame pointer: the walk's proof must hold the frame
// pointers it used too.
static __attribute__((noinline, optimize("no-omit-frame-pointer"))) void take_pair(pthread_mutex_t *first,
                                                                                   pthread_mutex_t *second) {
    pthread_mutex_lock(first);
    pthread_mutex_lock(second);
    sink++;
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
}

static __attribute__((noinline)) void path_one(void) {
    take_pair(&A, &B);
    __asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void path_two(void) {
    take_pair(&B, &A);
    __asm__ volatile("" ::: "memory");
}

int main(void) {
    path_one();
    path_two();
    printf("unwind_same_depth_paths: done\n");
    return 0;
}
