// dept-example: fresh_lock_under_registry
// expect: silent
// objects: registry_lock lock_init
// summary: GDAL's CPLCreateOrAcquireMutex: a get-or-create helper takes registry_lock and, for a slot still empty, initialises a mutex (every mutex comes from one init site, lock_init, so they share a class) and locks it before storing it, so it returns locked either way. Each thread then creates a second lock while holding its first: registry_lock after a lock_init mutex, and a brand-new lock_init mutex under registry_lock. The class orders are opposite, yet the new mutex cannot be held by anyone when it is locked: no other thread has seen it. No report.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *slots[4];

__attribute__((noinline)) static pthread_mutex_t *lock_init(void) {
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m || pthread_mutex_init(m, NULL) != 0) abort();
    return m;
}

// Returns slot's mutex, locked; creates it (locked) when the slot is empty.
__attribute__((noinline)) static pthread_mutex_t *get_or_create(int slot) {
    pthread_mutex_lock(&registry_lock);
    pthread_mutex_t *m = slots[slot];
    if (!m) {
        m = lock_init();
        pthread_mutex_lock(m);   // a mutex nobody else has seen
        slots[slot] = m;
        pthread_mutex_unlock(&registry_lock);
        return m;
    }
    pthread_mutex_unlock(&registry_lock);
    pthread_mutex_lock(m);
    return m;
}

static void *worker(void *arg) {
    int base = (int)(long)arg;
    pthread_mutex_t *outer = get_or_create(base);       // created here
    pthread_mutex_t *inner = get_or_create(base + 1);   // registry_lock while holding outer
    pthread_mutex_unlock(inner);
    pthread_mutex_unlock(outer);
    return NULL;
}

int main(void) {
    pthread_t a, b;
    pthread_create(&a, NULL, worker, (void *)0L);
    pthread_join(a, NULL);
    pthread_create(&b, NULL, worker, (void *)2L);
    pthread_join(b, NULL);
    // Both slots of each pair exist now: taking them again is plain nesting.
    pthread_mutex_t *m = get_or_create(0);
    pthread_mutex_unlock(m);
    puts("fresh_lock_under_registry: done");
    return 0;
}
