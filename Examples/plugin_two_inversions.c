// dept-example: plugin_two_inversions
// expect: potential
// objects: A B C D
// summary: Two inversions through a plugin's lock code, found at two moments of one process: thread 1 takes A then B inside the plugin and main then takes B then A; thread 2 takes C then D inside it and main then takes D then C. Each report shows the plugin's frames, and, where the plugin has no debug information, a note on where to get it. The plugin is the one named by DEPT_EXAMPLE_PLUGIN, else the one built beside the program.
// build: cc -g -O0 -shared -fPIC -o $OUT/libplugin_nest.so Examples/lib/libplugin_nest.c && cc -g -O0 -pthread -o $OUT/plugin_two_inversions Examples/plugin_two_inversions.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER, B = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t C = PTHREAD_MUTEX_INITIALIZER, D = PTHREAD_MUTEX_INITIALIZER;

typedef void (*nest_fn)(pthread_mutex_t *, pthread_mutex_t *);
static nest_fn nest;

static void *first(void *arg)
{
        (void)arg;
        nest(&A, &B);                   // A then B, in the plugin
        return NULL;
}

static void *second(void *arg)
{
        (void)arg;
        nest(&C, &D);                   // C then D, in the plugin
        return NULL;
}

static void invert(pthread_mutex_t *outer, pthread_mutex_t *inner)
{
        pthread_mutex_lock(outer);
        pthread_mutex_lock(inner);      // [W] closes a cycle: a report now
        pthread_mutex_unlock(inner);
        pthread_mutex_unlock(outer);
}

int main(void)
{
        alarm(20);                      // never hang for more than 20 s
        char path[4096];
        const char *chosen = getenv("DEPT_EXAMPLE_PLUGIN");
        if (chosen) {
                snprintf(path, sizeof path, "%s", chosen);
        } else {
                ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
                if (n <= 0) return 2;
                path[n] = 0;
                strcpy(strrchr(path, '/') + 1, "libplugin_nest.so");
        }
        void *plugin = dlopen(path, RTLD_NOW);
        if (!plugin) {
                fprintf(stderr, "plugin_two_inversions: %s\n", dlerror());
                return 1;
        }
        nest = (nest_fn)dlsym(plugin, "plugin_nest");
        pthread_t t;
        pthread_create(&t, NULL, first, NULL);
        pthread_join(t, NULL);
        invert(&B, &A);                 // the first report
        pthread_create(&t, NULL, second, NULL);
        pthread_join(t, NULL);
        invert(&D, &C);                 // the second report
        printf("plugin_two_inversions: done\n");
        return 0;
}
