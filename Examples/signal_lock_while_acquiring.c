// dept-example: signal_lock_while_acquiring
// expect: silent
// objects: M X
// summary: Main takes X then M (X before M), then holds M while T blocks taking M and sends T a signal; T's handler takes X and releases it. T was only waiting for M when its handler ran, so taking X there does not put X after M: there is no X/M inversion.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t X = PTHREAD_MUTEX_INITIALIZER;
static atomic_int handled;

static void handler(int sig) {
    (void)sig;
    pthread_mutex_lock(&X);         // T does not hold M yet: no M -> X
    pthread_mutex_unlock(&X);
    atomic_store(&handled, 1);
}

static void *taker(void *arg) {
    (void)arg;
    pthread_mutex_lock(&M);         // blocks: main holds M
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void) {
    signal(SIGUSR1, handler);
    pthread_mutex_lock(&X);         // X -> M, the program's order
    pthread_mutex_lock(&M);
    pthread_mutex_unlock(&M);
    pthread_mutex_unlock(&X);

    pthread_t t;
    pthread_mutex_lock(&M);
    pthread_create(&t, NULL, taker, NULL);
    usleep(100 * 1000);             // T is blocked in pthread_mutex_lock(&M) by now
    pthread_kill(t, SIGUSR1);
    while (!atomic_load(&handled)) usleep(1000);
    pthread_mutex_unlock(&M);
    pthread_join(t, NULL);
    puts("signal_lock_while_acquiring: done");
    return 0;
}
