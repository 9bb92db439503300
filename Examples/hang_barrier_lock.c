// dept-example: hang_barrier_lock
// expect: hang
// objects: L bar
// summary: Thread X takes L and waits at barrier bar holding it; thread Y must take L before it arrives, so it blocks on L and X waits for Y's arrival forever; main blocks in pthread_join: every thread is blocked.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t bar;
static atomic_int x_holds_l;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&L);
    atomic_store(&x_holds_l, 1);
    pthread_barrier_wait(&bar);     // waits for Y forever, holding L
    pthread_mutex_unlock(&L);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    while (!atomic_load(&x_holds_l))
        sched_yield();
    pthread_mutex_lock(&L);         // blocks forever: X holds L at the barrier
    pthread_mutex_unlock(&L);
    pthread_barrier_wait(&bar);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_barrier_init(&bar, NULL, 2);
    pthread_t x, y;
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("hang_barrier_lock: unreachable");
    return 0;
}
