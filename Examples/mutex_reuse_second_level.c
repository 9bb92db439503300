// dept-example: mutex_reuse_second_level
// expect: potential
// objects: init_as_cache_lock B
// summary: As mutex_reuse_same_thread, but the thread first cycles through 2,000 other locks, so that its B -> p situation lives in the second level of its acquisition cache when p is destroyed and re-initialised at another init site; the same call in the same situation then takes a lock of another class, which a second thread locks before B.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define POOL 2000

static pthread_mutex_t pool[POOL];          // one class, never nested
static pthread_mutex_t *p;                  // fixed heap address, two lives
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

// The same call site, the same held lock, the same address every time.
static __attribute__((noinline)) void b_then_p(void)
{
    pthread_mutex_lock(&B);
    pthread_mutex_lock(p);
    pthread_mutex_unlock(p);
    pthread_mutex_unlock(&B);
}

// Thousands of situations in turn: more than the first level holds, and
// enough of its misses for the second level to be used.
static __attribute__((noinline)) void cycle_pool(void)
{
    for (int i = 0; i < POOL; i++) {
        pthread_mutex_lock(&pool[i]);
        pthread_mutex_unlock(&pool[i]);
    }
}

static void *p_then_b(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(p);                  // p(life 2) -> B
    pthread_mutex_lock(&B);
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(p);
    return NULL;
}

static __attribute__((noinline)) void init_as_queue_lock(void)
{
    pthread_mutex_init(&*p, NULL);          // init site 1: the first life's class
}

static __attribute__((noinline)) void init_as_cache_lock(void)
{
    pthread_mutex_init(&*p, NULL);          // init site 2: the second life's class
}

int main(void)
{
    pthread_t t;
    for (int i = 0; i < POOL; i++) pthread_mutex_init(&pool[i], NULL);
    p = malloc(sizeof *p);

    init_as_queue_lock();
    for (int pass = 0; pass < 3; pass++) cycle_pool();
    for (int i = 0; i < 3; i++) b_then_p(); // B -> p(life 1), now a known situation
    for (int pass = 0; pass < 2; pass++) cycle_pool();
    b_then_p();                             // answered from the second level
    pthread_mutex_destroy(p);               // end of life 1

    init_as_cache_lock();                   // same address, another lock
    b_then_p();                             // B -> p(life 2): must not be taken for life 1
    pthread_create(&t, NULL, p_then_b, NULL);
    pthread_join(t, NULL);
    pthread_mutex_destroy(p);
    for (int i = 0; i < POOL; i++) pthread_mutex_destroy(&pool[i]);

    free(p);
    puts("mutex_reuse_second_level: done");
    return 0;
}
