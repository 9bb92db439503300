// dept-example: fresh_lock_seen_by_other
// expect: potential
// objects: registry_lock init@fresh_lock_seen_by_other.c:14
// summary: nearest real deadlock of fresh_lock_under_registry: main initialises shared (a lock_init mutex) and hands it over unlocked. Thread 1 takes registry_lock, then shared, for the first time ever, but it did not create it: another thread could be holding it. Thread 2 takes shared, then registry_lock. AB-BA between registry_lock and shared.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *shared;

__attribute__((noinline)) static pthread_mutex_t *lock_init(void) {
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m || pthread_mutex_init(m, NULL) != 0) abort();
    return m;
}

static void *registry_then_shared(void *arg) {
    (void)arg;
    pthread_mutex_lock(&registry_lock);
    pthread_mutex_lock(shared);
    pthread_mutex_unlock(shared);
    pthread_mutex_unlock(&registry_lock);
    return NULL;
}

static void *shared_then_registry(void *arg) {
    (void)arg;
    pthread_mutex_lock(shared);
    pthread_mutex_lock(&registry_lock);
    pthread_mutex_unlock(&registry_lock);
    pthread_mutex_unlock(shared);
    return NULL;
}

int main(void) {
    shared = lock_init();
    pthread_t a, b;
    pthread_create(&a, NULL, registry_then_shared, NULL);
    pthread_join(a, NULL);
    pthread_create(&b, NULL, shared_then_registry, NULL);
    pthread_join(b, NULL);
    puts("fresh_lock_seen_by_other: done");
    return 0;
}
