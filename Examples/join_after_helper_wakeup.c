// dept-example: join_after_helper_wakeup
// expect: silent
// objects: c
// summary: perl's threads::shared, where every release of every shared lock signals at one call site: worker T waits on c until a helper thread wakes it, and main joins T and signals c only after the join, at the same call site as the helper. main's signal depends on the join, but the helper's wake-up at that site depends on nothing in the cycle: T can be woken that way whatever main does (OR-wait over every firing of the event, its own site included). join_after_other_wakeup, whose helper joins a worker of T's kind first, is reported.
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

// Workers are all started here (one class of threads).
__attribute__((noinline)) static pthread_t spawn(void *(*fn)(void *)) {
    pthread_t th;
    pthread_create(&th, NULL, fn, NULL);
    return th;
}

static void *helper(void *arg) {
    (void)arg;
    wake(&go);                          // T's wait ends here; main never learns when
    return NULL;
}

int main(void) {
    pthread_t t, w, h;
    t = spawn(worker);
    until_waiting(&t_waiting);
    pthread_create(&w, NULL, second_waiter, NULL);
    until_waiting(&w_waiting);
    pthread_create(&h, NULL, helper, NULL);
    usleep(100 * 1000);                 // nothing here orders the helper's wake-up before the join
    pthread_join(t, NULL);
    wake(&done);                        // depends on the join; W waits since before it
    pthread_join(w, NULL);
    pthread_join(h, NULL);
    puts("join_after_helper_wakeup: done");
    return 0;
}
