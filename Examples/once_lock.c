// dept-example: once_lock
// expect: potential
// objects: L once
// summary: pthread_once whose init routine takes L, and another thread that calls pthread_once on the same control while holding L; here the routine has run before, but if that thread came first it would wait, holding L, for a routine that waits for L.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int table;

static void init_table(void)
{
    pthread_mutex_lock(&L);         // the routine's [S]..[E] waits for L
    table = 42;
    pthread_mutex_unlock(&L);
}

static void *first_user(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-first");
    pthread_once(&once, init_table);
    return NULL;
}

static void *locked_user(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-locked");
    pthread_mutex_lock(&L);
    pthread_once(&once, init_table);    // [W] the routine's end while holding L
    int v = table;
    pthread_mutex_unlock(&L);
    return (void *)(long)v;
}

int main(void)
{
    pthread_t t;
    void *v;
    pthread_create(&t, NULL, first_user, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, locked_user, NULL);
    pthread_join(t, &v);
    printf("once_lock: done (table %ld)\n", (long)v);
    return 0;
}
