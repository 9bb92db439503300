// dept-example: mutex_reuse_same_thread
// expect: potential
// objects: init_as_cache_lock B
// summary: One thread locks B then the heap mutex p twice from the same line, with p destroyed and re-initialised at another init site in between (a different lock, of another class); a second thread then locks that second p before B. B -> p(second) -> B is an inversion even though the thread's first B -> p was the same call in the same situation.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t *p;                  // fixed heap address, two lives
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

// The same call site, the same held lock, the same address both times.
static __attribute__((noinline)) void b_then_p(void)
{
    pthread_mutex_lock(&B);
    pthread_mutex_lock(p);
    pthread_mutex_unlock(p);
    pthread_mutex_unlock(&B);
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
    p = malloc(sizeof *p);

    init_as_queue_lock();
    for (int i = 0; i < 3; i++) b_then_p(); // B -> p(life 1), now a known situation
    pthread_mutex_destroy(p);               // end of life 1

    init_as_cache_lock();                   // same address, another lock
    b_then_p();                             // B -> p(life 2): must not be taken for life 1
    pthread_create(&t, NULL, p_then_b, NULL);
    pthread_join(t, NULL);
    pthread_mutex_destroy(p);

    free(p);
    puts("mutex_reuse_same_thread: done");
    return 0;
}
