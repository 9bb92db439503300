// dept-example: hostile_allocator_locks
// expect: silent
// objects: stats_lock
// summary: the program brings its own malloc, which holds its heap lock (a spin lock dept cannot see, as in PartitionAlloc, jemalloc or tcmalloc linked into a program) while it takes a pthread mutex for its statistics, and, like Chromium's allocator shim, also defines glibc's __libc_malloc and __libc_free; two threads take pairs of 64 static mutexes in index order and allocate inside them, so dept's core keeps learning new dependencies while the other thread is inside malloc; both finish.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/hostile_allocator_locks Examples/hostile_allocator_locks.c
//
// Hostile because: dept's core allocates while it holds the core lock. If
// it allocated with the program's malloc, a thread inside the core would
// wait for the heap lock held by a thread inside malloc, which waits for
// the core lock in the statistics mutex's hook: Chromium's renderers
// stopped that way. The core allocates with glibc's own allocator
// (CShim/core_heap.c), found in libc itself: this program, as Chromium's
// browser does, replaces glibc's __libc_malloc names too, and the browser
// stopped when the core linked to those names.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static atomic_flag heap_lock = ATOMIC_FLAG_INIT;
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static long allocations;

static void heap_enter(void)
{
    while (atomic_flag_test_and_set_explicit(&heap_lock, memory_order_acquire)) {}
    pthread_mutex_lock(&stats_lock);     // inside the heap lock
    allocations++;
    pthread_mutex_unlock(&stats_lock);
}
static void heap_leave(void) { atomic_flag_clear_explicit(&heap_lock, memory_order_release); }

#include "own_malloc.h"

#define N 64
static pthread_mutex_t locks[N] = { [0 ... N - 1] = PTHREAD_MUTEX_INITIALIZER };

static void *pairs(void *arg)
{
    long from = (long)arg;
    for (int round = 0; round < 2; round++)
        for (int a = 0; a < N; a++)
            for (int b = a + 1; b < N; b++) {
                int i = (a + from) % N, j = (b + from) % N;
                if (i > j) { int t = i; i = j; j = t; }
                pthread_mutex_lock(&locks[i]);
                pthread_mutex_lock(&locks[j]);
                free(malloc(32));
                pthread_mutex_unlock(&locks[j]);
                pthread_mutex_unlock(&locks[i]);
            }
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t t;
    pthread_create(&t, NULL, pairs, (void *)(N / 2));
    pairs(0);
    pthread_join(t, NULL);
    printf("hostile_allocator_locks: allocations counted: %s\n", allocations > 0 ? "yes" : "no");
    printf("hostile_allocator_locks: done\n");
    return 0;
}
