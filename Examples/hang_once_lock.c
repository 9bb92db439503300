// dept-example: hang_once_lock
// expect: deadlock
// objects: L once
// summary: Thread X runs the init routine of pthread_once, which waits for L; thread Y holds L and calls pthread_once on the same control, so it waits for the routine to return: neither goes on; main sleeps in a loop (it is not blocked), so the deadlock must be proven from who runs the routine.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int in_routine, y_holds_l;

static void init_table(void)
{
    atomic_store(&in_routine, 1);
    while (!atomic_load(&y_holds_l))
        sched_yield();
    pthread_mutex_lock(&L);         // blocks forever: Y holds L and waits for us
    pthread_mutex_unlock(&L);
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_once(&once, init_table);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    while (!atomic_load(&in_routine))
        sched_yield();
    pthread_mutex_lock(&L);
    atomic_store(&y_holds_l, 1);
    pthread_once(&once, init_table);    // blocks forever: X runs the routine
    pthread_mutex_unlock(&L);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t x, y;
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    // Sleeps instead of joining: a running thread could wake the others, so
    // only ownership (Y waits for the thread that runs the routine) proves it.
    pthread_setname_np(pthread_self(), "ctx-watchdog");
    for (;;)
        sleep(1);
}
