// libdl_locks.c - a library for hostile_dlopen, loaded with dlopen and
// unloaded with dlclose (twice). It has static locks of its own (lib_outer
// -> lib_inner, always in that order), takes them in its constructor and
// destructor (which run under the loader's lock, inside dlopen/dlclose),
// creates and joins a thread of its own, and initialises a heap lock.
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t lib_outer = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lib_inner = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t lib_table = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t *lib_heap;
static long lib_total;

__attribute__((constructor)) static void lib_ctor(void)
{
    lib_heap = malloc(sizeof *lib_heap);
    pthread_mutex_init(lib_heap, NULL);
    pthread_mutex_lock(&lib_outer);
    pthread_mutex_lock(&lib_inner);
    lib_total = 0;
    pthread_mutex_unlock(&lib_inner);
    pthread_mutex_unlock(&lib_outer);
}

__attribute__((destructor)) static void lib_dtor(void)
{
    pthread_mutex_lock(&lib_outer);
    pthread_mutex_lock(&lib_inner);
    lib_total = -1;
    pthread_mutex_unlock(&lib_inner);
    pthread_mutex_unlock(&lib_outer);
    pthread_mutex_destroy(lib_heap);
    free(lib_heap);
}

static void step(long v)
{
    pthread_mutex_lock(&lib_outer);
    pthread_rwlock_wrlock(&lib_table);
    pthread_mutex_lock(&lib_inner);
    pthread_mutex_lock(lib_heap);
    lib_total += v;
    pthread_mutex_unlock(lib_heap);
    pthread_mutex_unlock(&lib_inner);
    pthread_rwlock_unlock(&lib_table);
    pthread_mutex_unlock(&lib_outer);
}

static void *lib_thread(void *arg)
{
    long n = (long)arg;
    for (long i = 1; i <= n; i++) step(i);
    return NULL;
}

// Where lib_outer lives (the program reuses that memory after dlclose).
void *lib_outer_addr(void) { return &lib_outer; }

// Adds 1..n twice (here and in a thread of the library's own); returns the total.
long lib_work(long n)
{
    pthread_t t;
    pthread_create(&t, NULL, lib_thread, (void *)n);
    for (long i = 1; i <= n; i++) step(i);
    pthread_join(t, NULL);
    pthread_rwlock_rdlock(&lib_table);
    long total = lib_total;
    pthread_rwlock_unlock(&lib_table);
    return total;
}
