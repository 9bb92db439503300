// dept-example: signal_while_acquiring
// expect: silent
// objects: M cv
// summary: TSan's signal_in_mutex_lock. Main holds M and sends T a signal while T is blocked taking M; T's handler signals cv (under cv's own mutex), which main waits on while still holding M. T was only waiting for M when its handler ran: the signal does not depend on M, and main's wait is ended by it.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t dm = PTHREAD_MUTEX_INITIALIZER;     // cv's mutex
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done;

static void handler(int sig) {
    (void)sig;
    pthread_mutex_lock(&dm);
    done = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&dm);
}

static void *taker(void *arg) {
    (void)arg;
    pthread_mutex_lock(&M);         // blocks: main holds M
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void) {
    signal(SIGUSR1, handler);
    pthread_t t;
    pthread_mutex_lock(&M);
    pthread_create(&t, NULL, taker, NULL);
    usleep(100 * 1000);             // T is blocked in pthread_mutex_lock(&M) by now
    pthread_kill(t, SIGUSR1);
    pthread_mutex_lock(&dm);
    while (!done) pthread_cond_wait(&cv, &dm);
    pthread_mutex_unlock(&dm);
    pthread_mutex_unlock(&M);
    pthread_join(t, NULL);
    puts("signal_while_acquiring: done");
    return 0;
}
