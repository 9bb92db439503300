// dept-example: cond_wait_recursive_held
// expect: silent
// objects: m go_cond
// summary: APR's nested_wait test: a worker locks the recursive mutex m twice and waits on go_cond with it. glibc's wait drops one level of m, so m stays locked while the worker sleeps and taking it back never blocks; main signals go_cond without taking m. No report (dept took the re-take for a lock of m while holding m: a self-deadlock).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m;
static pthread_mutex_t flag_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cond = PTHREAD_COND_INITIALIZER;
static int go;

static int gone(void)
{
    pthread_mutex_lock(&flag_lock);
    int g = go;
    pthread_mutex_unlock(&flag_lock);
    return g;
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&m);                     // held twice
    while (!gone())
        pthread_cond_wait(&go_cond, &m);        // drops one level: m stays held
    pthread_mutex_unlock(&m);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&m, &a);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    usleep(100 * 1000);
    pthread_mutex_lock(&flag_lock);
    go = 1;
    pthread_mutex_unlock(&flag_lock);
    pthread_cond_signal(&go_cond);              // without m: the worker holds it
    pthread_join(t, NULL);
    puts("cond_wait_recursive_held: done");
    return 0;
}
