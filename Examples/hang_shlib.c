// dept-example: hang_shlib
// expect: deadlock
// objects: lib_lock M
// summary: Thread X runs a callback under the shared library's static lib_lock and waits for M there, while thread Y holds M and calls into the library to take lib_lock: a real deadlock across a module boundary.
// build: cc -g -O0 -shared -fPIC -o $OUT/liblockpair.so Examples/lib/liblockpair.c && cc -g -O0 -pthread -o $OUT/hang_shlib Examples/hang_shlib.c -IExamples/lib -L$OUT -llockpair -Wl,-rpath,$OUT
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "liblockpair.h"

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void cb(void)                        // runs with lib_lock held
{
    pthread_barrier_wait(&both_hold_one);   // Y now holds M
    pthread_mutex_lock(&M);                 // blocks forever
    pthread_mutex_unlock(&M);
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    lib_with_lock(cb);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&M);
    pthread_barrier_wait(&both_hold_one);   // X now holds lib_lock
    lib_lock_then_unlock();                 // blocks forever inside the library
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t x, y;
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("hang_shlib: unreachable");
    return 0;
}
