// dept-example: mutex_reuse
// expect: silent
// objects: p B
// summary: A heap mutex p is locked before B, destroyed, then the same memory is re-initialised at another init site as a different lock that is locked after B; the two lives of p are different locks, so p -> B and B -> p' is no cycle.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t *p;                  // fixed heap address, two lives
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

static void *first_life(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(p);                  // p(life 1) -> B
    pthread_mutex_lock(&B);
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(p);
    return NULL;
}

static void *second_life(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&B);                 // B -> p(life 2): a different lock
    pthread_mutex_lock(p);
    pthread_mutex_unlock(p);
    pthread_mutex_unlock(&B);
    return NULL;
}

static void init_as_queue_lock(pthread_mutex_t *m) { pthread_mutex_init(m, NULL); }   // init site 1
static void init_as_cache_lock(pthread_mutex_t *m) { pthread_mutex_init(m, NULL); }   // init site 2

int main(void)
{
    pthread_t t;
    p = malloc(sizeof *p);

    init_as_queue_lock(p);
    pthread_create(&t, NULL, first_life, NULL);
    pthread_join(t, NULL);
    pthread_mutex_destroy(p);               // end of life 1

    init_as_cache_lock(p);                  // same address, new lock
    pthread_create(&t, NULL, second_life, NULL);
    pthread_join(t, NULL);
    pthread_mutex_destroy(p);

    free(p);
    puts("mutex_reuse: done");
    return 0;
}
