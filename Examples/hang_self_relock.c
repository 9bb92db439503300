// dept-example: hang_self_relock
// expect: deadlock
// objects: M
// summary: A single-threaded program locks M and then locks M again (a default mutex, so the second lock sleeps for ever): the only thread waits for itself.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
    alarm(10);                              // never hang for more than 10 s
    pthread_setname_np(pthread_self(), "ctx-main");
    pthread_mutex_lock(&M);
    printf("main: holds M, takes it again\n");
    fflush(stdout);
    pthread_mutex_lock(&M);
    printf("main: unreachable\n");
    return 0;
}
