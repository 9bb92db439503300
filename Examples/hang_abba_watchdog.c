// dept-example: hang_abba_watchdog
// expect: deadlock
// objects: A B
// summary: The AB-BA deadlock of hang_abba, but main does not join: it sleeps in a loop like a watchdog; a sleeping thread could wake nobody here, the X/Y cycle is proven from lock ownership alone.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&A);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&B);                 // blocks forever: B is Y's
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&B);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&A);                 // blocks forever: A is X's
    pthread_mutex_unlock(&A);
    pthread_mutex_unlock(&B);
    return NULL;
}

int main(void)
{
    alarm(10);                              // SIGALRM ends the process after 10 s
    pthread_t x, y;
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_setname_np(pthread_self(), "ctx-watchdog");
    for (;;)
        sleep(1);                           // the "watchdog": sleeps, never joins
}
