// dept-example: fresh_lock_second_time
// expect: potential
// objects: registry_lock init@fresh_lock_second_time.c:14
// summary: nearest real deadlock of fresh_lock_under_registry, in one creating thread: main creates cache (a lock_init mutex) and locks it once while holding nothing, then publishes it. Thread 1, which created nothing, takes cache, then registry_lock; main later takes registry_lock, then cache: its second acquisition, an ordinary wait. AB-BA between registry_lock and cache.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *cache;

__attribute__((noinline)) static pthread_mutex_t *lock_init(void) {
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m || pthread_mutex_init(m, NULL) != 0) abort();
    return m;
}

static void *cache_then_registry(void *arg) {
    (void)arg;
    pthread_mutex_lock(cache);
    pthread_mutex_lock(&registry_lock);
    pthread_mutex_unlock(&registry_lock);
    pthread_mutex_unlock(cache);
    return NULL;
}

int main(void) {
    cache = lock_init();
    pthread_mutex_lock(cache);      // the first acquisition: nothing held
    pthread_mutex_unlock(cache);
    pthread_t a;
    pthread_create(&a, NULL, cache_then_registry, NULL);
    pthread_join(a, NULL);
    pthread_mutex_lock(&registry_lock);
    pthread_mutex_lock(cache);      // the second: a wait under registry_lock
    pthread_mutex_unlock(cache);
    pthread_mutex_unlock(&registry_lock);
    puts("fresh_lock_second_time: done");
    return 0;
}
