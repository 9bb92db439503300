// dept-example: robust_consistent_abba
// expect: potential
// objects: R M
// summary: Robust mutex R: its first owner dies holding it; thread X gets R with EOWNERDEAD, makes it consistent with pthread_mutex_consistent and takes M under it; later thread Y takes M then R: the recovered hold counts like any other, and R/M in opposite orders can deadlock.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t R;
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static int recovered;

static void *dies_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&R);
    return NULL;                    // dies holding R (a warning)
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    if (pthread_mutex_lock(&R) == EOWNERDEAD) {     // [S] R, its owner died
        pthread_mutex_consistent(&R);
        recovered = 1;
    }
    pthread_mutex_lock(&M);         // [W] M while holding R: R -> M
    pthread_mutex_unlock(&M);
    pthread_mutex_unlock(&R);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&M);
    pthread_mutex_lock(&R);         // [W] R while holding M: M -> R closes the cycle
    pthread_mutex_unlock(&R);
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&R, &a);
    pthread_mutexattr_destroy(&a);
    pthread_t t;
    pthread_create(&t, NULL, dies_holding, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    printf("robust_consistent_abba: done (recovered %d)\n", recovered);
    return 0;
}
