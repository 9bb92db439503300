// dept-example: hang_c11_thrd_join_under_mtx
// expect: deadlock
// objects: M
// summary: C11 threads: main takes mtx_t M and then calls thrd_join on a worker that must take M before it can end: neither can go on.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <threads.h>
#include <unistd.h>

static mtx_t M;
static atomic_int main_holds_m;

static int worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    while (!atomic_load(&main_holds_m))
        thrd_yield();
    mtx_lock(&M);           // blocks forever: main holds M and joins us
    mtx_unlock(&M);
    return 0;
}

int main(void)
{
    alarm(10);
    pthread_setname_np(pthread_self(), "ctx-main");
    mtx_init(&M, mtx_plain);
    thrd_t t;
    thrd_create(&t, worker, NULL);
    mtx_lock(&M);
    atomic_store(&main_holds_m, 1);
    thrd_join(t, NULL);     // blocks forever
    mtx_unlock(&M);
    puts("hang_c11_thrd_join_under_mtx: unreachable");
    return 0;
}
