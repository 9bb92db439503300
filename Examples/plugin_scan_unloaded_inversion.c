// dept-example: plugin_scan_unloaded_inversion
// expect: potential
// objects: A B
// summary: A plugin host without a plugin cache (as VLC's --no-plugins-cache): at start-up it loads and unloads 300 copies of a plugin, one after another, to scan them; then it loads the plugin it needs, thread 1 takes A then B inside it, the host unloads it and main takes B then A. The report, made after hundreds of modules came and went, many at the plugin's own address, must still name the plugin's function and line.
// build: cc -g -O0 -shared -fPIC -o $OUT/libplugin_nest.so Examples/lib/libplugin_nest.c && cc -g -O0 -pthread -o $OUT/plugin_scan_unloaded_inversion Examples/plugin_scan_unloaded_inversion.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCANNED 300

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
        alarm(20);                      // never hang for more than 20 s
        // The plugin is built beside the program.
        char path[4096];
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
        if (n <= 0) return 2;
        path[n] = 0;
        strcpy(strrchr(path, '/') + 1, "libplugin_nest.so");

        // The scan: each copy is a module of its own (another file), loaded,
        // looked at and unloaded, mostly at the address the next one takes.
        char dir[] = "/tmp/dept-plugin-scan-XXXXXX";
        if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
        for (int i = 0; i < SCANNED; i++) {
                char copy[4200];
                snprintf(copy, sizeof copy, "%s/scanned_%03d.so", dir, i);
                if (copy_file(path, copy) != 0) { perror("copy"); return 2; }
                void *h = dlopen(copy, RTLD_NOW | RTLD_LOCAL);
                if (!h || !dlsym(h, "plugin_nest")) { fprintf(stderr, "scan: %s\n", dlerror()); return 1; }
                dlclose(h);
                unlink(copy);           // a frame named by a scanned copy would show "??"
        }
        rmdir(dir);

        void *plugin = dlopen(path, RTLD_NOW);
        if (!plugin) {
                fprintf(stderr, "plugin_scan_unloaded_inversion: %s\n", dlerror());
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
        printf("plugin_scan_unloaded_inversion: done\n");
        return 0;
}
