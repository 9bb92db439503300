// dept-example: hang_join_under_mutex
// expect: deadlock
// objects: M
// summary: Main locks M, starts a worker that needs M, and joins the worker while still holding M: main waits for the worker's exit, the worker waits for main's M.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    pthread_mutex_lock(&M);         // blocks forever: main holds M
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t t;
    pthread_setname_np(pthread_self(), "ctx-main");
    pthread_mutex_lock(&M);         // taken before the worker exists
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);          // waits for the worker's exit while holding M
    pthread_mutex_unlock(&M);
    puts("hang_join_under_mutex: unreachable");
    return 0;
}
