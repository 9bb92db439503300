// dept-example: hostile_small_stack
// expect: silent
// objects: m
// summary: a thread made with the smallest stack glibc allows (16 KiB, as the D runtime makes its collector threads) takes pairs of mutexes, always the lower index first, and waits on a condition variable between them, after the main thread has built up a few thousand dependencies among the same mutexes. No cycle.
//
// Hostile because: dept's core searches the dependency graph for cycles on
// the calling thread's stack, some 20 KiB deep at its longest; a thread
// with 16 KiB overflowed it inside the search (the D runtime's collector
// threads crashed so). Such a thread must not enter the core. Nor may the
// hook's own path outgrow it: a stack capture made below 7 KiB of a wait's
// buffers overflowed it in about one run in five, and in every run with
// 4 KiB of the program's own frames above.
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define N 256
static pthread_mutex_t m[N];          // static, never initialised: a class each
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn = PTHREAD_COND_INITIALIZER;
static pthread_cond_t back = PTHREAD_COND_INITIALIZER;
static int round_no, asleep;

static void pair(int i, int j) {
    if (i > j) { int k = i; i = j; j = k; }
    pthread_mutex_lock(&m[i]);
    pthread_mutex_lock(&m[j]);
    pthread_mutex_unlock(&m[j]);
    pthread_mutex_unlock(&m[i]);
}

static __attribute__((noinline)) void rounds(void) {
    for (int r = 0; r < 2000; r++) {
        int i = r % N, j = (r * 7 + 3) % N;
        if (i == j) continue;
        if (i > j) { int k = i; i = j; j = k; }
        pthread_mutex_lock(&m[i]);
        pthread_mutex_lock(&gate);
        asleep = 1;
        pthread_cond_signal(&back);
        while (round_no == r) pthread_cond_wait(&turn, &gate);
        asleep = 0;
        pthread_mutex_unlock(&gate);
        pthread_mutex_lock(&m[j]);
        pthread_mutex_unlock(&m[j]);
        pthread_mutex_unlock(&m[i]);
    }
}

// The rounds run below 4 KiB of the thread's own frames, as a collector
// runs below its runtime's: about 9 KiB of the 16 are left for them and dept.
static void *small(void *arg) {
    volatile char frames[4 << 10];
    frames[0] = frames[sizeof frames - 1] = 0;
    rounds();
    return arg;
}

int main(void) {
    alarm(10);
    for (int i = 0; i < N; i++) pthread_mutex_init(&m[i], NULL);
    for (int i = 0; i < N; i++)
        for (int k = 1; k <= 8; k++) pair(i, (i + k * 13) % N);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN);
    pthread_t t;
    pthread_create(&t, &a, small, NULL);
    for (int r = 0; r < 2000; r++) {
        pthread_mutex_lock(&gate);
        // In step: the small thread waits in every round, under a lock of
        // a new class each time, so each round is a new situation and its
        // wait takes dept's deepest path (a stack capture under the hook).
        while (!asleep) pthread_cond_wait(&back, &gate);
        round_no = r + 1;
        pthread_cond_broadcast(&turn);
        pthread_mutex_unlock(&gate);
    }
    pthread_mutex_lock(&gate);
    round_no = -1;
    pthread_cond_broadcast(&turn);
    pthread_mutex_unlock(&gate);
    pthread_join(t, NULL);
    puts("hostile_small_stack: done");
    return 0;
}
