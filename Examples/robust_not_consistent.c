// dept-example: robust_not_consistent
// expect: warning
// objects: R
// summary: Robust mutex R: its owner dies holding it; the next locker gets EOWNERDEAD and unlocks it without pthread_mutex_consistent, so every later lock fails with ENOTRECOVERABLE: a warning names R and the unlock; a second robust mutex made consistent gets none.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t R, OK;

static void *dies_holding(void *arg)
{
    pthread_mutex_lock((pthread_mutex_t *)arg);
    return NULL;
}

static void robust(pthread_mutex_t *m)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
}

int main(void)
{
    robust(&R);
    robust(&OK);
    pthread_t t;
    pthread_create(&t, NULL, dies_holding, &R);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, dies_holding, &OK);
    pthread_join(t, NULL);

    int r1 = pthread_mutex_lock(&OK);
    if (r1 == EOWNERDEAD) pthread_mutex_consistent(&OK);
    pthread_mutex_unlock(&OK);
    int r2 = pthread_mutex_lock(&OK);
    pthread_mutex_unlock(&OK);

    int r3 = pthread_mutex_lock(&R);
    pthread_mutex_unlock(&R);       // not made consistent: R is now unusable
    int r4 = pthread_mutex_lock(&R);
    printf("robust_not_consistent: done (%s %s %s %s)\n", r1 == EOWNERDEAD ? "EOWNERDEAD" : "?", r2 == 0 ? "0" : "?",
           r3 == EOWNERDEAD ? "EOWNERDEAD" : "?", r4 == ENOTRECOVERABLE ? "ENOTRECOVERABLE" : "?");
    return 0;
}
