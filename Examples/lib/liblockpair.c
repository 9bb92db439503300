// Shared library with a private static mutex. Build:
//   cc -g -O0 -shared -fPIC -o $OUT/liblockpair.so Examples/lib/liblockpair.c
#include <pthread.h>
#include "liblockpair.h"

static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;

void lib_with_lock(void (*cb)(void))
{
    pthread_mutex_lock(&lib_lock);      // [S] lib_lock
    cb();                               // whatever cb waits for depends on lib_lock
    pthread_mutex_unlock(&lib_lock);
}

void lib_lock_then_unlock(void)
{
    pthread_mutex_lock(&lib_lock);      // [W] lib_lock
    pthread_mutex_unlock(&lib_lock);
}
