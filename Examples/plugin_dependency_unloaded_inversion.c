// dept-example: plugin_dependency_unloaded_inversion
// expect: potential
// objects: A B
// summary: Thread 1 takes A then B inside a library that only a plugin needs (the plugin calls it, as VLC's codec plugin calls libavcodec); after the join the program dlclose's the plugin, which unmaps both, and main takes B then A: an A/B inversion reported after both are gone, whose stacks must still name the library's and the plugin's functions and lines.
// build: cc -g -O0 -shared -fPIC -o $OUT/libplugin_nest.so Examples/lib/libplugin_nest.c && cc -g -O0 -shared -fPIC -o $OUT/libplugin_via.so Examples/lib/libplugin_via.c -L$OUT -lplugin_nest -Wl,-rpath,'$ORIGIN' && cc -g -O0 -pthread -IExamples/lib -o $OUT/plugin_dependency_unloaded_inversion Examples/plugin_dependency_unloaded_inversion.c -ldl
#include "plugin_host.h"

int main(void)
{
        alarm(10);                      // never hang for more than 10 s
        char path[4096];                // the plugin is built beside the program
        if (beside_program(path, "libplugin_via.so") != 0) return 2;
        return invert_after_unload(path, "plugin_via", "plugin_dependency_unloaded_inversion");
}
