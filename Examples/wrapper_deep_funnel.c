// dept-example: wrapper_deep_funnel
// expect: silent
// objects: manager_init config_init cache_lock
// summary: GDAL's CPLMutexHolder: every mutex is made by mutex_new, called only by mutex_create, called only by holder_init, which the program calls for its config holder and its manager holder; so pthread_mutex_init has one call site and one caller per level until holder_init's callers. One thread takes the manager's mutex, then cache_lock; another takes cache_lock, then the config's mutex: the same two classes in both orders at the level of the init site, two different mutexes in truth. No report.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct holder { pthread_mutex_t *m; };

static struct holder config, manager;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static pthread_mutex_t *mutex_new(void) {
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m || pthread_mutex_init(m, NULL) != 0) abort();
    return m;
}
__attribute__((noinline)) static pthread_mutex_t *mutex_create(void) {
    pthread_mutex_t *m = mutex_new();
    __asm__ volatile("" ::: "memory");   // not a tail call: each level keeps its frame
    return m;
}
__attribute__((noinline)) static void holder_init(struct holder *h) {
    h->m = mutex_create();
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) static void config_init(void) { holder_init(&config); __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) static void manager_init(void) { holder_init(&manager); __asm__ volatile("" ::: "memory"); }

static void *manager_then_cache(void *arg) {
    (void)arg;
    pthread_mutex_lock(manager.m);
    pthread_mutex_lock(&cache_lock);
    pthread_mutex_unlock(&cache_lock);
    pthread_mutex_unlock(manager.m);
    return NULL;
}

static void *cache_then_config(void *arg) {
    (void)arg;
    pthread_mutex_lock(&cache_lock);
    pthread_mutex_lock(config.m);
    pthread_mutex_unlock(config.m);
    pthread_mutex_unlock(&cache_lock);
    return NULL;
}

int main(void) {
    config_init();
    manager_init();
    // Used once by their creator first: a held mutex made by nobody else.
    pthread_mutex_lock(config.m); pthread_mutex_unlock(config.m);
    pthread_mutex_lock(manager.m); pthread_mutex_unlock(manager.m);
    pthread_t a, b;
    pthread_create(&a, NULL, manager_then_cache, NULL);
    pthread_join(a, NULL);
    pthread_create(&b, NULL, cache_then_config, NULL);
    pthread_join(b, NULL);
    puts("wrapper_deep_funnel: done");
    return 0;
}
