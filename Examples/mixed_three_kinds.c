// dept-example: mixed_three_kinds
// expect: potential
// objects: M cond_c efd_e
// summary: T1 waits on condvar cond_c while holding M, T2 signals cond_c only after reading eventfd efd_e, T3 writes efd_e only after locking M: a cycle M -> cond_c -> efd_e -> M through three kinds of objects, sequenced so this run completes.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t CM = PTHREAD_MUTEX_INITIALIZER;     // cond_c's mutex
static pthread_cond_t cond_c = PTHREAD_COND_INITIALIZER;
static int flag;
static int efd_e = -1;                                      // blocking eventfd
static pthread_t t2;

// T3: [W] M, then [E] efd_e: efd_e -> M.
static void *t3_fn(void *arg)
{
    (void)arg;
    uint64_t one = 1;
    pthread_setname_np(pthread_self(), "ctx-T3");
    pthread_mutex_lock(&M);
    if (write(efd_e, &one, sizeof one) != sizeof one) perror("write");
    pthread_mutex_unlock(&M);
    return NULL;
}

// T2: [W] efd_e, then [E] cond_c: cond_c -> efd_e.
static void *t2_fn(void *arg)
{
    (void)arg;
    uint64_t v;
    pthread_setname_np(pthread_self(), "ctx-T2");
    pthread_mutex_lock(&CM);        // returns only once T1 sleeps in cond_wait,
    pthread_mutex_unlock(&CM);      // so our read starts after T1's wait started
    if (read(efd_e, &v, sizeof v) != sizeof v) perror("read");  // counter is 1: no block
    pthread_mutex_lock(&CM);
    flag = 1;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    return NULL;
}

// T1: [W] cond_c while holding M: M -> cond_c.
static void *t1_fn(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-T1");
    pthread_mutex_lock(&M);
    pthread_mutex_lock(&CM);
    pthread_create(&t2, NULL, t2_fn, NULL);    // T2 cannot signal before we wait
    while (!flag)
        pthread_cond_wait(&cond_c, &CM);
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void)
{
    pthread_t t;
    efd_e = eventfd(0, 0);
    // Round 1: T3 alone: lock M, write efd_e, unlock M.
    pthread_create(&t, NULL, t3_fn, NULL);
    pthread_join(t, NULL);
    // Round 2: T1 waits on cond_c holding M; T2 reads efd_e (returns at once)
    // and signals cond_c. Had T3 come now, it would block on M: no write, no
    // signal, T1 sleeps forever (hang_mixed_three_kinds.c).
    pthread_create(&t, NULL, t1_fn, NULL);
    pthread_join(t, NULL);
    pthread_join(t2, NULL);
    close(efd_e);
    puts("mixed_three_kinds: done");
    return 0;
}
