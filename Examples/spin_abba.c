// dept-example: spin_abba
// expect: potential
// objects: A B
// summary: pthread spinlocks: thread X takes spinlock A then B and is joined before thread Y takes B then A, so this run completes, but the opposite orders can deadlock (two threads spinning forever) in another interleaving.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_spinlock_t A, B;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_spin_lock(&A);      // [S] A
    pthread_spin_lock(&B);      // [W] B while holding A: A -> B
    pthread_spin_unlock(&B);
    pthread_spin_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_spin_lock(&B);      // [S] B
    pthread_spin_lock(&A);      // [W] A while holding B: B -> A closes the cycle
    pthread_spin_unlock(&A);
    pthread_spin_unlock(&B);
    return NULL;
}

int main(void)
{
    pthread_spin_init(&A, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_init(&B, PTHREAD_PROCESS_PRIVATE);
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    pthread_spin_destroy(&A);
    pthread_spin_destroy(&B);
    puts("spin_abba: done");
    return 0;
}
