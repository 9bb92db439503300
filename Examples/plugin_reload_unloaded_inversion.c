// dept-example: plugin_reload_unloaded_inversion
// expect: potential
// objects: A B
// summary: A host that reloads its plugins again and again (a server's graceful restart): two copies of a plugin are loaded and unloaded in turns, 4,200 times each, mostly at one address; then the host loads the plugin it needs, thread 1 takes A then B inside it, the host unloads it and main takes B then A. The report must still name the plugin's function and line, not a reloaded copy.
// build: cc -g -O0 -shared -fPIC -o $OUT/libplugin_nest.so Examples/lib/libplugin_nest.c && cc -g -O0 -pthread -IExamples/lib -o $OUT/plugin_reload_unloaded_inversion Examples/plugin_reload_unloaded_inversion.c -ldl
#define _GNU_SOURCE
#include <stdlib.h>
#include "plugin_host.h"

#define RELOADS 4200

int main(void)
{
        alarm(60);                      // never hang for more than 60 s
        char path[4096];                // the plugin is built beside the program
        if (beside_program(path, "libplugin_nest.so") != 0) return 2;

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
        return invert_after_unload(path, "plugin_nest", "plugin_reload_unloaded_inversion");
}
