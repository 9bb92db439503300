// dept-example: plugin_scan_unloaded_inversion
// expect: potential
// objects: A B
// summary: A plugin host without a plugin cache (as VLC's --no-plugins-cache): at start-up it loads and unloads 300 copies of a plugin, one after another, to scan them; then it loads the plugin it needs, thread 1 takes A then B inside it, the host unloads it and main takes B then A. The report, made after hundreds of modules came and went, many at the plugin's own address, must still name the plugin's function and line.
// build: cc -g -O0 -shared -fPIC -o $OUT/libplugin_nest.so Examples/lib/libplugin_nest.c && cc -g -O0 -pthread -IExamples/lib -o $OUT/plugin_scan_unloaded_inversion Examples/plugin_scan_unloaded_inversion.c -ldl
#define _GNU_SOURCE
#include <stdlib.h>
#include "plugin_host.h"

#define SCANNED 300

int main(void)
{
        alarm(20);                      // never hang for more than 20 s
        char path[4096];                // the plugin is built beside the program
        if (beside_program(path, "libplugin_nest.so") != 0) return 2;

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
        return invert_after_unload(path, "plugin_nest", "plugin_scan_unloaded_inversion");
}
