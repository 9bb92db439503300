// dept-example: hostile_allocator_futex
// expect: silent
// objects: heap_word
// summary: the program brings its own malloc (own_malloc.h) whose heap lock is a futex word it waits on through syscall(SYS_futex), as tcmalloc's SpinLock and PartitionAlloc's lock do; four threads allocate and free at once, so the first wait that blocks in the process is one inside the allocator; the allocator aborts if it is entered again from inside its own wait; all finish.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/hostile_allocator_futex Examples/hostile_allocator_futex.c
//
// Hostile because: dept models futex waits made through syscall(), and its
// hang monitor is a thread that glibc's pthread_create gives a TLS vector
// from the program's calloc. Started at the first wait that blocked, the
// monitor was created from inside this allocator's lock wait: the
// allocator was re-entered with its own state half-changed (pigz with
// tcmalloc preloaded crashed in tcmalloc's calloc). dept starts its
// monitor when the program creates a thread instead.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Atomic int heap_word;            // 0 free, 1 held, 2 held and someone may sleep
static __thread int in_heap_wait;

static void heap_enter(void)
{
    if (in_heap_wait) {
        static const char m[] = "hostile_allocator_futex: the allocator was entered from inside its own lock wait\n";
        write(2, m, sizeof m - 1);
        abort();
    }
    int c = 0;
    if (atomic_compare_exchange_strong(&heap_word, &c, 1)) return;
    if (c != 2) c = atomic_exchange(&heap_word, 2);
    while (c != 0) {
        in_heap_wait = 1;
        syscall(SYS_futex, &heap_word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
        in_heap_wait = 0;
        c = atomic_exchange(&heap_word, 2);
    }
}

static void heap_leave(void)
{
    if (atomic_exchange(&heap_word, 0) == 2) syscall(SYS_futex, &heap_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

#include "own_malloc.h"

#define THREADS 4
#define ROUNDS 100000
static atomic_int finished;

static void *churn(void *arg)
{
    long sum = (long)arg;
    for (int i = 0; i < ROUNDS; i++) {
        char *p = malloc(16 + i % 64);
        p[0] = (char)i;
        sum += p[0];
        free(p);
    }
    atomic_fetch_add(&finished, 1);
    return (void *)sum;
}

int main(void)
{
    alarm(10);
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, churn, (void *)i);
    // No wait of main's own blocks before the workers are done: the first
    // waits that block are the allocator's.
    while (atomic_load(&finished) < THREADS) sched_yield();
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    printf("hostile_allocator_futex: done\n");
    return 0;
}
