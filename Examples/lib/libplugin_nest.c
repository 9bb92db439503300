// A plugin the program loads, uses and unloads. Build:
//   cc -g -O0 -shared -fPIC -o $OUT/libplugin_nest.so Examples/lib/libplugin_nest.c
#include <pthread.h>

// Takes outer, then inner: the order the program later inverts.
void plugin_nest(pthread_mutex_t *outer, pthread_mutex_t *inner)
{
    pthread_mutex_lock(outer);
    pthread_mutex_lock(inner);          // [W] inner while holding outer
    pthread_mutex_unlock(inner);
    pthread_mutex_unlock(outer);
}
