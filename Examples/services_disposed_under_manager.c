// dept-example: services_disposed_under_manager
// expect: potential
// objects: manager
// summary: LibreOffice's service manager: each of three singleton services is constructed under its own mutex (zero-filled, so classed by its first use, and first used from three different getters: three classes), and its constructor reads a setting through the manager, taking manager; at shutdown the manager, holding manager, locks each service's mutex to dispose of it. One inversion in the code closes three cycles, one per class: one report, and one `DEPT: info:` line for each of the other two, since their threads wait at the same places. With SERVICES_LOCK_PAIRS=1 the program also nests two other pairs of locks through one helper, lock_pair, called in both orders for each pair from different functions: two more inversions that wait at the helper's line, each told apart by its callers, so each is a report of its own.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct service {
        pthread_mutex_t mutex;          // zero-filled by calloc: classed by its first use
        int instance;
};

static pthread_mutex_t manager = PTHREAD_MUTEX_INITIALIZER;
static struct service *services[3];

// The manager's registry, which a constructor calls back into.
__attribute__((noinline)) static int lookup_setting(const char *name)
{
        pthread_mutex_lock(&manager);   // [W] under a service's mutex
        int value = (int)strlen(name);
        pthread_mutex_unlock(&manager);
        return value;
}

__attribute__((noinline)) static int read_config(const char *name)
{
        return lookup_setting(name) + 1;
}

// Builds a singleton once, under its own mutex, as cppuhelper's
// Implementation::createInstance does.
__attribute__((noinline)) static int instantiate(struct service *s, const char *setting)
{
        pthread_mutex_lock(&s->mutex);
        if (!s->instance) s->instance = read_config(setting);
        int v = s->instance;
        pthread_mutex_unlock(&s->mutex);
        return v;
}

// Three getters: each service's mutex is first used from another one.
__attribute__((noinline)) static int path_settings(void) { return instantiate(services[0], "Work"); }
__attribute__((noinline)) static int path_substitution(void) { return instantiate(services[1], "$(inst)"); }
__attribute__((noinline)) static int content_broker(void) { return instantiate(services[2], "ucb"); }

__attribute__((noinline)) static void dispose(void)
{
        pthread_mutex_lock(&manager);
        for (int i = 0; i < 3; i++) {
                pthread_mutex_lock(&services[i]->mutex);        // [W] closes one cycle per service
                services[i]->instance = 0;
                pthread_mutex_unlock(&services[i]->mutex);
        }
        pthread_mutex_unlock(&manager);
}

// The near miss: a helper that nests the two locks it is given waits at
// one line for every pair; its callers tell the inversions apart.
static pthread_mutex_t journal = PTHREAD_MUTEX_INITIALIZER, index_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cache = PTHREAD_MUTEX_INITIALIZER, store = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static void lock_pair(pthread_mutex_t *outer, pthread_mutex_t *inner)
{
        pthread_mutex_lock(outer);
        pthread_mutex_lock(inner);      // [W] of every inversion through the helper
        pthread_mutex_unlock(inner);
        pthread_mutex_unlock(outer);
}

__attribute__((noinline)) static void journal_append(void) { lock_pair(&journal, &index_lock); }
__attribute__((noinline)) static void index_rebuild(void) { lock_pair(&index_lock, &journal); }
__attribute__((noinline)) static void cache_fill(void) { lock_pair(&cache, &store); }
__attribute__((noinline)) static void store_evict(void) { lock_pair(&store, &cache); }

int main(void)
{
        alarm(20);                      // never hang for more than 20 s
        for (int i = 0; i < 3; i++) services[i] = calloc(1, sizeof *services[i]);
        int sum = path_settings() + path_substitution() + content_broker();
        dispose();
        if (getenv("SERVICES_LOCK_PAIRS")) {
                journal_append();
                index_rebuild();
                cache_fill();
                store_evict();
        }
        for (int i = 0; i < 3; i++) free(services[i]);
        printf("services_disposed_under_manager: done (%d)\n", sum);
        return 0;
}
