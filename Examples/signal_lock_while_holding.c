// dept-example: signal_lock_while_holding
// expect: potential
// objects: M X
// summary: Main takes X then M (X before M). T takes M and, holding it, is sent a signal; T's handler takes X. Here T does hold M when its handler takes X: M before X in T, X before M in main, an inversion (main holding X and waiting for M while T's handler, holding M, waits for X would never end).
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t X = PTHREAD_MUTEX_INITIALIZER;
static atomic_int holding, handled;

static void handler(int sig) {
    (void)sig;
    pthread_mutex_lock(&X);         // T holds M: M -> X
    pthread_mutex_unlock(&X);
    atomic_store(&handled, 1);
}

static void *holder(void *arg) {
    (void)arg;
    pthread_mutex_lock(&M);
    atomic_store(&holding, 1);
    while (!atomic_load(&handled)) usleep(1000);   // the handler runs in here
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void) {
    signal(SIGUSR1, handler);
    pthread_mutex_lock(&X);         // X -> M
    pthread_mutex_lock(&M);
    pthread_mutex_unlock(&M);
    pthread_mutex_unlock(&X);

    pthread_t t;
    pthread_create(&t, NULL, holder, NULL);
    while (!atomic_load(&holding)) usleep(1000);
    pthread_kill(t, SIGUSR1);
    pthread_join(t, NULL);
    puts("signal_lock_while_holding: done");
    return 0;
}
