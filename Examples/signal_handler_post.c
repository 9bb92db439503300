// dept-example: signal_handler_post
// expect: silent
// objects: G RW
// summary: a garbage collector's stop-the-world, as Boehm GC does it under ECL: the collector holds its allocation lock G while it waits (sem_wait) for a mutator's acknowledgement, which the mutator's SIGUSR1 handler posts while the mutator holds the program's rwlock RW for writing; another mutator takes G while it holds RW for reading. The post comes from a handler, which runs even while its thread is blocked on RW: no cycle. With the argument `plain`, the writer posts in its own code after taking RW: then the collector's wait does depend on RW, and G -> post -> RW -> G is reported.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t G = PTHREAD_MUTEX_INITIALIZER;        // the collector's allocation lock
static pthread_rwlock_t RW = PTHREAD_RWLOCK_INITIALIZER;     // the program's rwlock
static sem_t ack;
static atomic_int writer_holds, collected;
static int plain;

static void on_suspend(int sig) {
    (void)sig;
    sem_post(&ack);          // the acknowledgement, from the handler
}

static void *writer(void *arg) {
    (void)arg;
    pthread_rwlock_wrlock(&RW);
    atomic_store(&writer_holds, 1);
    if (plain) sem_post(&ack);                 // in its own code, holding RW
    while (!atomic_load(&collected)) {}        // the handler runs in here
    pthread_rwlock_unlock(&RW);
    return NULL;
}

static void collect(pthread_t w) {
    pthread_mutex_lock(&G);
    if (!plain) pthread_kill(w, SIGUSR1);      // stop the world
    while (sem_wait(&ack) != 0) {}             // G -> the acknowledgement
    pthread_mutex_unlock(&G);
    atomic_store(&collected, 1);
}

static void *reader(void *arg) {
    (void)arg;
    pthread_rwlock_rdlock(&RW);
    pthread_mutex_lock(&G);                    // RW -> G: allocate under RW
    pthread_mutex_unlock(&G);
    pthread_rwlock_unlock(&RW);
    return NULL;
}

int main(int argc, char **argv) {
    plain = argc > 1 && strcmp(argv[1], "plain") == 0;
    sem_init(&ack, 0, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_suspend;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t w, r;
    pthread_create(&w, NULL, writer, NULL);
    while (!atomic_load(&writer_holds)) {}
    collect(w);
    pthread_join(w, NULL);
    pthread_create(&r, NULL, reader, NULL);
    pthread_join(r, NULL);
    puts("signal_handler_post: done");
    return 0;
}
