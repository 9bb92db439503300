// dept-example: hostile_altstack
// expect: silent
// objects: a b c
// summary: two threads run their SIGUSR1 handler on an alternate signal stack, one of 8 KiB (the old SIGSTKSZ) and one of 32 KiB; each raises the signal while it holds a then b, and the main thread sends it more. The handler takes c and posts a semaphore. Each alternate stack lies in the middle of a heap block, with a painted margin below it that must come back untouched. No cycle.
//
// Hostile because: the kernel's signal frame alone takes 3 to 6 KiB of an
// alternate stack on this machine (AVX-512 state), and dept's model step for
// the handler's lock and post (a stack capture, the core) went below the end
// of the 8 KiB one: it overwrote the heap (glibc aborted with "malloc():
// unaligned tcache chunk detected"). Such a handler now runs with dept's
// hooks passed through; on the 32 KiB stack they run, but the cycle search
// does not.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARGIN (64 << 10)
#define PAINT 0xa5

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t c = PTHREAD_MUTEX_INITIALIZER;
static sem_t acks;
static pthread_barrier_t ready;

static void handler(int sig) {
    (void)sig;
    pthread_mutex_lock(&c);
    sem_post(&acks);
    pthread_mutex_unlock(&c);
}

static void *worker(void *arg) {
    size_t size = (size_t)arg;
    unsigned char *block = malloc(MARGIN + size);
    if (!block) return (void *)1;
    memset(block, PAINT, MARGIN + size);
    stack_t alt = { .ss_sp = block + MARGIN, .ss_size = size, .ss_flags = 0 };
    if (sigaltstack(&alt, NULL) != 0) { perror("sigaltstack"); return (void *)1; }
    pthread_barrier_wait(&ready);
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&b);
        raise(SIGUSR1);
        pthread_mutex_unlock(&b);
        pthread_mutex_unlock(&a);
    }
    pthread_barrier_wait(&ready);   // the main thread's signals are all in
    stack_t off = { .ss_flags = SS_DISABLE };
    sigaltstack(&off, NULL);
    size_t untouched = 0;
    while (untouched < MARGIN && block[untouched] == PAINT) untouched++;
    free(block);
    if (untouched < MARGIN) {
        fprintf(stderr, "hostile_altstack: the handler wrote %zu bytes below its %zu-byte stack\n",
                MARGIN - untouched, size);
        return (void *)1;
    }
    return NULL;
}

int main(void) {
    alarm(10);
    sem_init(&acks, 0, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_ONSTACK | SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_barrier_init(&ready, NULL, 3);
    pthread_t t[2];
    pthread_create(&t[0], NULL, worker, (void *)(size_t)(8 << 10));
    pthread_create(&t[1], NULL, worker, (void *)(size_t)(32 << 10));
    pthread_barrier_wait(&ready);
    for (int i = 0; i < 50; i++) {
        pthread_kill(t[i & 1], SIGUSR1);
        usleep(200);
    }
    pthread_barrier_wait(&ready);
    int bad = 0;
    for (int i = 0; i < 2; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad |= r != NULL;
    }
    int n = 0;
    while (sem_trywait(&acks) == 0) n++;
    if (bad || n < 400) {
        fprintf(stderr, "hostile_altstack: %d handler runs, at least 400 expected\n", n);
        return 1;
    }
    puts("hostile_altstack: done");
    return 0;
}
