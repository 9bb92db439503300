// dept-example: plugin_reload_unloaded_inversion
// expect: potential
// objects: A B
// summary: A host that reloads its plugins again and again (a server's graceful restart): two copies of a plugin are loaded and unloaded in turns, 4,200 times each, mostly at one address; then the host loads the plugin it needs, thread 1 takes A then B inside it, the host unloads it and main takes B then A. The report must still name the plugin's function and line, not a reloaded copy.
// build: cc -g -O0 -shared -fPIC -o $OUT/libplugin_nest.so Examples/lib/libplugin_nest.c && cc -g -O0 -pthread -o $OUT/plugin_reload_unloaded_inversion Examples/plugin_reload_unloaded_inversion.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RELOADS 4200

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

typedef void (*nest_fn)(pthread_mutex_t *, pthread_mutex_t *);

static void *thread1(void *arg)
{
        nest_fn nest = (nest_fn)arg;
        nest(&A, &B);                   // A then B, in the plugin
        return NULL;
}

static int copy_file(const char *from, const char *to)
{
        int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
        char buf[65536];
        ssize_t n;
        int ok = in >= 0 && out >= 0;
        while (ok && (n = read(in, buf, sizeof buf)) > 0)
                ok = write(out, buf, (size_t)n) == n;
        if (in >= 0) close(in);
        if (out >= 0) close(out);
        return ok ? 0 : -1;
}

int main(void)
{
        alarm(60);                      // never hang for more than 60 s
        // The plugin is built beside the program.
        char path[4096];
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
        if (n <= 0) return 2;
        path[n] = 0;
        strcpy(strrchr(path, '/') + 1, "libplugin_nest.so");

        // Two other files of the plugin, reloaded in turns.
        char dir[] = "/tmp/dept-plugin-reload-XXXXXX";
        if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
        char copy[2][4200];
        for (int c = 0; c < 2; c++) {
                snprintf(copy[c], sizeof copy[c], "%s/reloaded_%c.so", dir, 'a' + c);
                if (copy_file(path, copy[c]) != 0) { perror("copy"); return 2; }
        }
        for (int i = 0; i < 2 * RELOADS; i++) {
                void *h = dlopen(copy[i & 1], RTLD_NOW | RTLD_LOCAL);
                if (!h || !dlsym(h, "plugin_nest")) { fprintf(stderr, "reload: %s\n", dlerror()); return 1; }
                dlclose(h);
        }
        for (int c = 0; c < 2; c++) unlink(copy[c]);   // a frame named by a copy would show "??"
        rmdir(dir);

        void *plugin = dlopen(path, RTLD_NOW);
        if (!plugin) {
                fprintf(stderr, "plugin_reload_unloaded_inversion: %s\n", dlerror());
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
        printf("plugin_reload_unloaded_inversion: done\n");
        return 0;
}
