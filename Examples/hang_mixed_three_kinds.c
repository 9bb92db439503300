// dept-example: hang_mixed_three_kinds
// expect: deadlock
// objects: M cond_c efd_e
// summary: T1 holds M and waits on condvar cond_c, T2 blocks reading eventfd efd_e before it would signal cond_c, T3 waits for M before it would write efd_e: a real three-thread deadlock through a mutex, a condvar and an eventfd, after a warm-up round that completes.
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

static void *t1_fn(void *bar)               // waits on cond_c holding M
{
    pthread_setname_np(pthread_self(), "ctx-T1");
    pthread_mutex_lock(&M);
    pthread_mutex_lock(&CM);
    pthread_barrier_wait(bar);
    while (!flag)
        pthread_cond_wait(&cond_c, &CM);
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&M);
    return NULL;
}

static void *t2_fn(void *bar)               // reads efd_e, then signals cond_c
{
    uint64_t v;
    pthread_setname_np(pthread_self(), "ctx-T2");
    pthread_barrier_wait(bar);
    pthread_mutex_lock(&CM);                // returns once T1 sleeps in cond_wait
    pthread_mutex_unlock(&CM);
    if (read(efd_e, &v, sizeof v) != sizeof v) perror("read");
    pthread_mutex_lock(&CM);
    flag = 1;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    return NULL;
}

static void *t3_fn(void *bar)               // locks M, then writes efd_e
{
    uint64_t one = 1;
    pthread_setname_np(pthread_self(), "ctx-T3");
    if (bar)
        pthread_barrier_wait(bar);
    pthread_mutex_lock(&M);
    if (write(efd_e, &one, sizeof one) != sizeof one) perror("write");
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t t1, t2, t3;
    pthread_barrier_t bar2, bar3;
    efd_e = eventfd(0, 0);
    pthread_barrier_init(&bar2, NULL, 2);
    pthread_barrier_init(&bar3, NULL, 3);

    // Warm-up round (completes, as mixed_three_kinds.c): T3 alone, then T1
    // waits holding M and T2 reads efd_e (counter 1) and signals cond_c.
    pthread_create(&t3, NULL, t3_fn, NULL);
    pthread_join(t3, NULL);
    pthread_create(&t1, NULL, t1_fn, &bar2);
    pthread_create(&t2, NULL, t2_fn, &bar2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    flag = 0;

    // Hang round: T1 holds M and waits on cond_c, T2 blocks on efd_e
    // (counter 0), T3 blocks on M.
    pthread_create(&t1, NULL, t1_fn, &bar3);
    pthread_create(&t2, NULL, t2_fn, &bar3);
    pthread_create(&t3, NULL, t3_fn, &bar3);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_join(t3, NULL);
    puts("hang_mixed_three_kinds: unreachable");
    return 0;
}
