// dept-example: abba
// expect: potential
// objects: A B
// summary: Thread 1 locks A then B and is joined before thread 2 locks B then A, so this run completes, but the opposite lock orders can deadlock in another interleaving.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&A);     // [S] A
    pthread_mutex_lock(&B);     // [W] B while holding A: A -> B
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&B);     // [S] B
    pthread_mutex_lock(&A);     // [W] A while holding B: B -> A closes the cycle
    pthread_mutex_unlock(&A);
    pthread_mutex_unlock(&B);
    return NULL;
}

int main(void)
{
    pthread_t t;
    // Sequenced: ctx-X finishes before ctx-Y starts, so nothing blocks here.
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    puts("abba: done");
    return 0;
}
