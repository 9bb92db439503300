// dept-example: hang_c11_mtx_abba
// expect: deadlock
// objects: A B
// summary: C11 threads: thread X holds mtx_t A and waits for B while thread Y holds B and waits for A (a barrier makes both take their first lock first), a real AB-BA deadlock among mtx_lock calls; main blocks in thrd_join.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <threads.h>
#include <unistd.h>

static mtx_t A, B;
static pthread_barrier_t both_hold_one;

static int ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    mtx_lock(&A);
    pthread_barrier_wait(&both_hold_one);   // Y now holds B
    mtx_lock(&B);                           // blocks forever
    mtx_unlock(&B);
    mtx_unlock(&A);
    return 0;
}

static int ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    mtx_lock(&B);
    pthread_barrier_wait(&both_hold_one);   // X now holds A
    mtx_lock(&A);                           // blocks forever
    mtx_unlock(&A);
    mtx_unlock(&B);
    return 0;
}

int main(void)
{
    alarm(10);
    mtx_init(&A, mtx_plain);
    mtx_init(&B, mtx_plain);
    pthread_barrier_init(&both_hold_one, NULL, 2);
    thrd_t x, y;
    thrd_create(&x, ctx_x, NULL);
    thrd_create(&y, ctx_y, NULL);
    thrd_join(x, NULL);
    thrd_join(y, NULL);
    puts("hang_c11_mtx_abba: unreachable");
    return 0;
}
