// dept-example: hostile_exit_teardown
// expect: silent
// objects: bucket table_lock shared_lock
// summary: the end of povray: a worker thread keeps taking shared_lock while main returns (or calls exit() with argument "exit"), and an exit handler registered by a constructor, which runs before dept's own, tears the program down (prints "teardown" and then stops the worker from touching shared_lock again). Before that, bucket/table_lock nesting leaves dept a `not reported (static objects)` line to print at exit under verbosity=2. No report; with verbosity=2 the line is printed before "teardown".
//
// Hostile because: dept's exit-time printing (symbolization, tens of
// milliseconds) must happen before the program's exit handlers and static
// destructors, not after them: after, the program's other threads run on
// against destroyed objects for that long (a boost mutex a static
// destructor destroyed fails with EINVAL, and boost aborts with lock_error).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUCKETS 8

static pthread_mutex_t bucket[BUCKETS];
static pthread_mutex_t table_lock;
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int torn_down;
static long entries, worker_rounds;

// A bucket of the lower half, then table_lock; table_lock, then a bucket of
// the upper half: the class order is inconsistent, the locks never are.
static void *insert(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&bucket[1]);
    pthread_mutex_lock(&table_lock);
    entries++;
    pthread_mutex_unlock(&table_lock);
    pthread_mutex_unlock(&bucket[1]);
    return NULL;
}

static void *resize(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&table_lock);
    pthread_mutex_lock(&bucket[BUCKETS - 1]);
    entries++;
    pthread_mutex_unlock(&bucket[BUCKETS - 1]);
    pthread_mutex_unlock(&table_lock);
    return NULL;
}

// Runs until the process ends, as a detached render thread does.
static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    while (!atomic_load(&torn_down)) {
        pthread_mutex_lock(&shared_lock);
        worker_rounds++;
        pthread_mutex_unlock(&shared_lock);
        usleep(100);
    }
    return NULL;
}

static void teardown(void)
{
    static const char msg[] = "teardown\n";
    write(2, msg, sizeof msg - 1);
    atomic_store(&torn_down, 1);
}

// Registered by a constructor of the executable: after libdept.so's own
// exit handler, so it runs before it.
__attribute__((constructor)) static void register_teardown(void) { atexit(teardown); }

int main(int argc, char **argv)
{
    alarm(10);
    for (int i = 0; i < BUCKETS; i++) pthread_mutex_init(&bucket[i], NULL);
    pthread_mutex_init(&table_lock, NULL);
    pthread_t t;
    pthread_create(&t, NULL, insert, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, resize, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, worker, NULL);
    pthread_detach(t);
    usleep(20000);
    printf("hostile_exit_teardown: %ld entries\n", entries);
    printf("hostile_exit_teardown: done\n");
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "exit") == 0) exit(0);
    return 0;
}
