// dept-example: plugin_dependency_unloaded_inversion
// expect: potential
// objects: A B
// summary: Thread 1 takes A then B inside a library that only a plugin needs (the plugin calls it, as VLC's codec plugin calls libavcodec); after the join the program dlclose's the plugin, which unmaps both, and main takes B then A: an A/B inversion reported after both are gone, whose stacks must still name the library's and the plugin's functions and lines.
// build: cc -g -O0 -shared -fPIC -o $OUT/libplugin_nest.so Examples/lib/libplugin_nest.c && cc -g -O0 -shared -fPIC -o $OUT/libplugin_via.so Examples/lib/libplugin_via.c -L$OUT -lplugin_nest -Wl,-rpath,'$ORIGIN' && cc -g -O0 -pthread -o $OUT/plugin_dependency_unloaded_inversion Examples/plugin_dependency_unloaded_inversion.c -ldl
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
        nest(&A, &B);                   // A then B, in the plugin's library
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
        strcpy(strrchr(path, '/') + 1, "libplugin_via.so");
        void *plugin = dlopen(path, RTLD_NOW);
        if (!plugin) {
                fprintf(stderr, "plugin_dependency_unloaded_inversion: %s\n", dlerror());
                return 1;
        }
        pthread_t t;
        pthread_create(&t, NULL, thread1, dlsym(plugin, "plugin_via"));
        pthread_join(t, NULL);
        dlclose(plugin);                // both are gone before the report
        pthread_mutex_lock(&B);
        pthread_mutex_lock(&A);         // [W] A while holding B
        pthread_mutex_unlock(&A);
        pthread_mutex_unlock(&B);
        printf("plugin_dependency_unloaded_inversion: done\n");
        return 0;
}
