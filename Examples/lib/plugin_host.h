// plugin_host.h - the host side of the plugin examples: a thread takes A
// then B inside a library the program dlopen'ed (libplugin_nest.so, or
// libplugin_via.so, which calls it), the program dlclose's it, and main
// then takes B then A itself, so that the report is made after the module
// that names the thread's frames is gone. What each example does before
// (a scan of copies, reloads) is its own.
#ifndef EXAMPLES_PLUGIN_HOST_H
#define EXAMPLES_PLUGIN_HOST_H
#include <dlfcn.h>
#include <fcntl.h>
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

// path (4096 bytes) := the library `name` built beside the program.
static int beside_program(char *path, const char *name)
{
        ssize_t n = readlink("/proc/self/exe", path, 4096 - 64);
        if (n <= 0) return -1;
        path[n] = 0;
        strcpy(strrchr(path, '/') + 1, name);
        return 0;
}

__attribute__((unused)) static int copy_file(const char *from, const char *to)
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

// Loads the library at path, runs thread 1 through its function `symbol`,
// unloads it and inverts the order in main; the program's exit status.
static int invert_after_unload(const char *path, const char *symbol, const char *program)
{
        void *plugin = dlopen(path, RTLD_NOW);
        if (!plugin) {
                fprintf(stderr, "%s: %s\n", program, dlerror());
                return 1;
        }
        pthread_t t;
        pthread_create(&t, NULL, thread1, dlsym(plugin, symbol));
        pthread_join(t, NULL);
        dlclose(plugin);                // the plugin is gone before the report
        pthread_mutex_lock(&B);
        pthread_mutex_lock(&A);         // [W] A while holding B
        pthread_mutex_unlock(&A);
        pthread_mutex_unlock(&B);
        printf("%s: done\n", program);
        return 0;
}
#endif
