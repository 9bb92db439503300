// dept-example: plugin_unloaded_inversion
// expect: potential
// objects: A B
// summary: Thread 1 takes A then B inside a plugin the program dlopen'ed; after the join the program dlclose's the plugin, and main takes B then A: an A/B inversion reported after the plugin is gone, whose stacks must still name the plugin's function and line.
// build: cc -g -O0 -shared -fPIC -o $OUT/libplugin_nest.so Examples/lib/libplugin_nest.c && cc -g -O0 -pthread -IExamples/lib -o $OUT/plugin_unloaded_inversion Examples/plugin_unloaded_inversion.c -ldl
#include "plugin_host.h"

int main(void)
{
        alarm(10);                      // never hang for more than 10 s
        char path[4096];                // the plugin is built beside the program
        if (beside_program(path, "libplugin_nest.so") != 0) return 2;
        return invert_after_unload(path, "plugin_nest", "plugin_unloaded_inversion");
}
