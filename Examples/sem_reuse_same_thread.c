// dept-example: sem_reuse_same_thread
// expect: potential
// objects: init@sem_reuse_same_thread.c:41 M
// summary: A semaphore p initialised to 1 is used as a lock. One thread locks mutex M then takes p, several times from the same line, with p destroyed and re-initialised at another init site in between (another semaphore, of another class); a second thread then takes that second p before M. M -> p(second) -> M is an inversion even though the thread's first M -> p was the same call on the same address.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

static sem_t *p;                            // fixed heap address, two lives
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;

// The same call site, the same held mutex, the same address each time.
static __attribute__((noinline)) void m_then_p(void)
{
    pthread_mutex_lock(&M);
    sem_wait(p);
    sem_post(p);
    pthread_mutex_unlock(&M);
}

static void *p_then_m(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    sem_wait(p);                            // p(life 2) -> M
    pthread_mutex_lock(&M);
    pthread_mutex_unlock(&M);
    sem_post(p);
    return NULL;
}

static __attribute__((noinline)) void init_as_queue_sem(void)
{
    sem_init(p, 0, 1);                      // init site 1: the first life's class
}

static __attribute__((noinline)) void init_as_cache_sem(void)
{
    sem_init(p, 0, 1);                      // init site 2: the second life's class
}

int main(void)
{
    pthread_t t;
    p = malloc(sizeof *p);

    init_as_queue_sem();
    for (int i = 0; i < 3; i++) m_then_p(); // M -> p(life 1)
    sem_destroy(p);                         // end of life 1

    init_as_cache_sem();                    // same address, another semaphore
    m_then_p();                             // M -> p(life 2): must not be taken for life 1
    pthread_create(&t, NULL, p_then_m, NULL);
    pthread_join(t, NULL);
    sem_destroy(p);

    free(p);
    puts("sem_reuse_same_thread: done");
    return 0;
}
