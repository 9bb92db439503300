// dept-example: cond_pool_other_predicate
// expect: potential
// objects: X cv
// summary: One condvar cv for two predicates, as small pools use it: the worker waits on cv for work, then, still holding the mutex X it took before it looked for work, signals cv to say it is done; main waits on cv for done while holding X. The worker's check for work looks like the acquire of a lock built on cv (cond_lock_release), but main waits for another predicate at another place, not to acquire that lock: if main takes X first, the worker blocks on X before it looks for work and never signals done. Sequenced so it completes: main's first wait is ended by a helper that holds nothing. With the argument `wrapped`, every lock of cv's mutex goes through one lock function, so every critical section has the same call site: still reported.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t X = PTHREAD_MUTEX_INITIALIZER;    // a lock both sides take around their part
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;    // cv's mutex
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int work, done, waiting, waiting_done;
static int wrapped;

// A program's lock wrapper (libuv's uv_mutex_lock, a C++ Mutex::Lock).
__attribute__((noinline)) static void lock_wrapper(pthread_mutex_t *x) {
    pthread_mutex_lock(x);
    __asm__ volatile("");
}
static inline __attribute__((always_inline)) void take(pthread_mutex_t *x) {
    if (wrapped) lock_wrapper(x);
    else pthread_mutex_lock(x);
}

__attribute__((noinline)) static void wait_for_work(void) {
    take(&m);
    while (!work) {
        waiting++;
        pthread_cond_wait(&cv, &m);
        waiting--;
    }
    work = 0;
    pthread_mutex_unlock(&m);
}

__attribute__((noinline)) static void say_done(void) {
    take(&m);
    done = 1;
    pthread_mutex_unlock(&m);
    pthread_cond_signal(&cv);
}

__attribute__((noinline)) static void wait_for_done(void) {
    take(&m);
    while (!done) {
        waiting_done++;
        pthread_cond_wait(&cv, &m);
        waiting_done--;
    }
    done = 0;
    pthread_mutex_unlock(&m);
}

static void *helper(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "helper");
    for (;;) {                     // until main sleeps in wait_for_done
        take(&m);
        int sleeping = waiting_done;
        pthread_mutex_unlock(&m);
        if (sleeping) break;
        sched_yield();
    }
    say_done();
    return NULL;
}

static void *worker(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "worker");
    pthread_mutex_lock(&X);
    wait_for_work();
    say_done();                    // holding X, taken before it looked for work
    pthread_mutex_unlock(&X);
    return NULL;
}

int main(int argc, char **argv) {
    wrapped = argc > 1 && strcmp(argv[1], "wrapped") == 0;
    // Round 1: main waits for done holding X; the helper says it.
    pthread_t h, w;
    pthread_mutex_lock(&X);
    pthread_create(&h, NULL, helper, NULL);
    wait_for_done();
    pthread_mutex_unlock(&X);
    pthread_join(h, NULL);
    // Round 2: the worker looks for work holding X, sleeps until main
    // gives it some, and says done.
    pthread_create(&w, NULL, worker, NULL);
    for (;;) {
        take(&m);
        int sleeping = waiting;
        if (sleeping) work = 1;
        pthread_mutex_unlock(&m);
        if (sleeping) break;
        sched_yield();
    }
    pthread_cond_broadcast(&cv);
    wait_for_done();
    pthread_join(w, NULL);
    puts("cond_pool_other_predicate: done");
    return 0;
}
