// dept-example: hostile_fork_allocator
// expect: silent
// objects: worker_lock
// summary: the program brings its own malloc (a lock around glibc's, as PartitionAlloc, jemalloc and tcmalloc have one), and holds that lock across fork with pthread_atfork handlers, releasing it in its child handler; threads have run and exited before each fork; the child mallocs, locks, frees and exits; every fork completes.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/hostile_fork_allocator Examples/hostile_fork_allocator.c
//
// Hostile because: dept's fork handlers are registered first, so its child
// handler runs before the program's, while the allocator's lock is still
// held. If dept's child handler allocated (its core did, forgetting the
// parent's other threads), it would wait for that lock for ever: Chromium's
// forked zygote children hung that way.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

// ---- the program's allocator: glibc's, behind one lock dept cannot see ----
static atomic_flag heap_lock = ATOMIC_FLAG_INIT;
static void heap_enter(void) { while (atomic_flag_test_and_set_explicit(&heap_lock, memory_order_acquire)) {} }
static void heap_leave(void) { atomic_flag_clear_explicit(&heap_lock, memory_order_release); }

#include "own_malloc.h"

// The allocator's own fork protocol: no fork while the heap is in use.
static void heap_prepare(void) { heap_enter(); }
static void heap_release(void) { heap_leave(); }

// ---- the program ----
static pthread_mutex_t worker_lock = PTHREAD_MUTEX_INITIALIZER;
static long work;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&worker_lock);
    work++;
    pthread_mutex_unlock(&worker_lock);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_atfork(heap_prepare, heap_release, heap_release);
    for (int i = 0; i < 3; i++) {
        pthread_t t[2];
        for (int k = 0; k < 2; k++) pthread_create(&t[k], NULL, worker, NULL);
        for (int k = 0; k < 2; k++) pthread_join(t[k], NULL);
        pid_t p = fork();
        if (p < 0) { perror("fork"); return 1; }
        if (p == 0) {
            alarm(10);                   // a fork does not inherit the parent's alarm
            char *s = malloc(64);
            strcpy(s, "child");
            pthread_mutex_lock(&worker_lock);
            work++;
            pthread_mutex_unlock(&worker_lock);
            free(s);
            _exit(0);
        }
        int st = 0;
        if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "hostile_fork_allocator: child %d failed\n", i);
            return 1;
        }
    }
    printf("hostile_fork_allocator: %ld\n", work);
    printf("hostile_fork_allocator: done\n");
    return 0;
}
