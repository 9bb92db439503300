// dept-example: robust_owner_died_join
// expect: silent
// objects: R
// summary: A worker takes the robust mutex R and dies holding it; main then takes R (EOWNERDEAD, made consistent) and joins the worker while holding R. The worker's exit happened before main got R (it is how main got it), so the worker cannot be waiting for R when main joins it: owner death is a hard happens-before edge (PRECISION F4), and the R -> worker-exit -> R cycle is ruled out. Expect one warning (a thread exited holding a lock).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t R;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&R);             // and never unlocked: the worker dies holding R
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&R, &a);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    int rc;
    // Wait until the worker is gone: the next lock of R says so.
    while ((rc = pthread_mutex_lock(&R)) == 0) { pthread_mutex_unlock(&R); }
    if (rc == EOWNERDEAD) pthread_mutex_consistent(&R);
    pthread_join(t, NULL);              // joined while holding R
    pthread_mutex_unlock(&R);
    printf("robust_owner_died_join: done %s\n", rc == EOWNERDEAD ? "EOWNERDEAD" : "other");
    return 0;
}
