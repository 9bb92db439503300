// dept-example: join_after_own_wakeup
// expect: silent
// objects: c
// summary: perl's threads::shared shape. Main wakes worker T (its condvar wait on c is over), joins T, then signals c again for a second waiter that has waited since before the join. That signal depends on the join (the thread's history), and T waited on c before it could exit, but T's wait was ended by main's own signal made before the join: T could not be stuck on c while main joins it (R2.4, per wait). T then naps and takes another lock, so its last wait of any kind returns after the join starts.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t x = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int t_waiting, go, w_waiting, done;

// Every wake-up of c comes from here (one call site), for every waiter
// (each rechecks its own flag).
__attribute__((noinline)) static void wake(int *flag) {
    pthread_mutex_lock(&m);
    *flag = 1;
    pthread_cond_broadcast(&c);
    pthread_mutex_unlock(&m);
}

// Waits until *flag is set by a thread that then waits on c holding m.
static void until_waiting(int *flag) {
    for (;;) {
        pthread_mutex_lock(&m);
        int f = *flag;
        pthread_mutex_unlock(&m);
        if (f) return;
        usleep(1000);
    }
}

static void *worker(void *arg) {
    (void)arg;
    pthread_mutex_lock(&m);
    t_waiting = 1;
    while (!go) pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    usleep(100 * 1000);     // main is in the join by now
    pthread_mutex_lock(&x);
    pthread_mutex_unlock(&x);
    return NULL;
}

static void *second_waiter(void *arg) {
    (void)arg;
    pthread_mutex_lock(&m);
    w_waiting = 1;
    while (!done) pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void) {
    pthread_t t, w;
    pthread_create(&t, NULL, worker, NULL);
    until_waiting(&t_waiting);
    wake(&go);                          // T's wait ends here, before the join
    pthread_create(&w, NULL, second_waiter, NULL);
    until_waiting(&w_waiting);
    pthread_join(t, NULL);
    wake(&done);                        // depends on the join; W waits since before it
    pthread_join(w, NULL);
    puts("join_after_own_wakeup: done");
    return 0;
}
