// dept-example: shlib_inversion
// expect: potential
// objects: lib_lock M
// summary: Thread 1 takes M inside a callback run under the shared library's static lib_lock, thread 2 (after a join) locks M then calls into the library to take lib_lock: a lib_lock/M inversion across a module boundary.
// build: cc -g -O0 -shared -fPIC -o $OUT/liblockpair.so Examples/lib/liblockpair.c && cc -g -O0 -pthread -o $OUT/shlib_inversion Examples/shlib_inversion.c -IExamples/lib -L$OUT -llockpair -Wl,-rpath,$OUT
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include "liblockpair.h"

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;

static void cb(void)
{
    pthread_mutex_lock(&M);     // [W] M while the library holds lib_lock
    pthread_mutex_unlock(&M);
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    lib_with_lock(cb);          // lib_lock -> M
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&M);     // [S] M
    lib_lock_then_unlock();     // [W] lib_lock while holding M: M -> lib_lock
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);      // sequenced: this run completes
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    puts("shlib_inversion: done");
    return 0;
}
