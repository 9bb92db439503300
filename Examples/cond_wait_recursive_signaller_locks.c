// dept-example: cond_wait_recursive_signaller_locks
// expect: potential
// objects: m go_cond
// summary: Near miss of cond_wait_recursive_held: the worker waits on go_cond holding the recursive mutex m twice, so m stays locked while it sleeps, and a later signaller takes m before it signals go_cond. Sequenced so it completes (round 1's signaller does not take m; round 2's signals when nobody waits), but a signaller that needs m while the worker waits blocks for ever. Reported, and only this: the wait is made holding m (a false self-deadlock at the re-take came with it before).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m;
static pthread_mutex_t flag_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cond = PTHREAD_COND_INITIALIZER;
static int go;

static int gone(void)
{
    pthread_mutex_lock(&flag_lock);
    int g = go;
    pthread_mutex_unlock(&flag_lock);
    return g;
}

static void set_go(void)
{
    pthread_mutex_lock(&flag_lock);
    go = 1;
    pthread_mutex_unlock(&flag_lock);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&m);
    while (!gone())
        pthread_cond_wait(&go_cond, &m);        // [W] go_cond while m stays held
    pthread_mutex_unlock(&m);
    pthread_mutex_unlock(&m);
    return NULL;
}

static void *signaller(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);                     // [S] m
    set_go();
    pthread_cond_signal(&go_cond);              // [E] go_cond under m
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&m, &a);
    pthread_t t, s;
    pthread_create(&t, NULL, worker, NULL);     // round 1: main signals without m
    usleep(100 * 1000);
    set_go();
    pthread_cond_signal(&go_cond);
    pthread_join(t, NULL);
    pthread_create(&s, NULL, signaller, NULL);  // round 2: nobody waits now
    pthread_join(s, NULL);
    puts("cond_wait_recursive_signaller_locks: done");
    return 0;
}
