// dept-example: signal_while_holding
// expect: potential
// objects: M cv
// summary: Near miss of signal_while_acquiring: T's handler runs while T really holds M (T raises the signal inside its critical section), so that signal of cv depends on M. Later main holds M while it waits on cv, and a helper happens to signal it; had main waited while T was about to take M, neither would get on.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t dm = PTHREAD_MUTEX_INITIALIZER;     // cv's mutex
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done, done2;

static void handler(int sig) {
    (void)sig;
    pthread_mutex_lock(&dm);
    done = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&dm);
}

static void *taker(void *arg) {
    (void)arg;
    pthread_mutex_lock(&M);
    raise(SIGUSR1);                 // the handler runs holding M
    pthread_mutex_unlock(&M);
    return NULL;
}

static void *helper(void *arg) {
    (void)arg;
    usleep(50 * 1000);
    pthread_mutex_lock(&dm);
    done2 = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&dm);
    return NULL;
}

int main(void) {
    signal(SIGUSR1, handler);
    pthread_t t, h;
    pthread_create(&t, NULL, taker, NULL);
    pthread_join(t, NULL);
    pthread_create(&h, NULL, helper, NULL);
    pthread_mutex_lock(&M);
    pthread_mutex_lock(&dm);
    while (!done2) pthread_cond_wait(&cv, &dm);
    pthread_mutex_unlock(&dm);
    pthread_mutex_unlock(&M);
    pthread_join(h, NULL);
    puts("signal_while_holding: done");
    return 0;
}
