// A plugin whose lock code is in a library it alone needs
// (libplugin_nest.so): unloading the plugin unmaps both. Build:
//   cc -g -O0 -shared -fPIC -o $OUT/libplugin_via.so Examples/lib/libplugin_via.c -L$OUT -lplugin_nest -Wl,-rpath,'$ORIGIN'
#include <pthread.h>

void plugin_nest(pthread_mutex_t *outer, pthread_mutex_t *inner);

void plugin_via(pthread_mutex_t *outer, pthread_mutex_t *inner)
{
    plugin_nest(outer, inner);          // outer then inner, in the dependency
}
