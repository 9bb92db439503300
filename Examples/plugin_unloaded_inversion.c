// dept-example: plugin_unloaded_inversion
// expect: potential
// objects: A B
// summary: Thread 1 takes A then B inside a plugin the program dlopen'ed; after the join the program dlclose's the plugin, and main takes B then A: an A/B inversion reported after the plugin is gone, whose stacks must still name the plugin's function and line.
// build: cc -g -O0 -shared -fPIC -o $OUT/libplugin_nest.so Examples/lib/libplugin_nest.c && cc -g -O0 -pthread -o $OUT/plugin_unloaded_inversion Examples/plugin_unloaded_inversion.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

typedef void (*nest_fn)(pthread_mutex_t *, pthread_mutex_t *);

static void *thread1(void *arg)
{
        nest_fn nest = (nest_fn)arg;
        nest(&A, &B);                   // A then B, in the plugin
        return NULL;
}

int main(void)
{
        alarm(10);                      // never hang for more than 10 s
        // The plugin is built beside the program.
        char path[4096];
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
        if (n <= 0) return 2;
        path[n] = 0;
        strcpy(strrchr(path, '/') + 1, "libplugin_nest.so");
        void *plugin = dlopen(path, RTLD_NOW);
        if (!plugin) {
                fprintf(stderr, "plugin_unloaded_inversion: %s\n", dlerror());
                return 1;
        }
        pthread_t t;
        pthread_create(&t, NULL, thread1, dlsym(plugin, "plugin_nest"));
        pthread_join(t, NULL);
        dlclose(plugin);                // the plugin is gone before the report
        pthread_mutex_lock(&B);
        pthread_mutex_lock(&A);         // [W] A while holding B
        pthread_mutex_unlock(&A);
        pthread_mutex_unlock(&B);
        printf("plugin_unloaded_inversion: done\n");
        return 0;
}
