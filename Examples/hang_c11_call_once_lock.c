// dept-example: hang_c11_call_once_lock
// expect: deadlock
// objects: L once
// summary: C11 call_once: thread X runs the once function, which waits for mtx_t L; thread Y holds L and calls call_once on the same flag, so it waits for the function to end: neither goes on.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <threads.h>
#include <unistd.h>

static mtx_t L;
static once_flag once = ONCE_FLAG_INIT;
static atomic_int in_function, y_holds_l;

static void init_table(void)
{
    atomic_store(&in_function, 1);
    while (!atomic_load(&y_holds_l))
        thrd_yield();
    mtx_lock(&L);           // blocks forever: Y holds L and waits for us
    mtx_unlock(&L);
}

static int ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    call_once(&once, init_table);
    return 0;
}

static int ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    while (!atomic_load(&in_function))
        thrd_yield();
    mtx_lock(&L);
    atomic_store(&y_holds_l, 1);
    call_once(&once, init_table);   // blocks forever: X runs the function
    mtx_unlock(&L);
    return 0;
}

int main(void)
{
    alarm(10);
    mtx_init(&L, mtx_plain);
    thrd_t x, y;
    thrd_create(&x, ctx_x, NULL);
    thrd_create(&y, ctx_y, NULL);
    thrd_join(x, NULL);
    thrd_join(y, NULL);
    puts("hang_c11_call_once_lock: unreachable");
    return 0;
}
