// dept-example: signal_before_wait
// expect: silent
// objects: CM cond_c
// summary: The signaller sets the flag and signals cond_c before the waiter ever runs; the waiter checks the predicate and never sleeps; a lost wake-up is impossible with a predicate, so nothing to report.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t CM = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond_c = PTHREAD_COND_INITIALIZER;
static int flag;

static void *signaller(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-signaller");
    pthread_mutex_lock(&CM);
    flag = 1;
    pthread_cond_signal(&cond_c);   // nobody waits yet: the signal is "lost", the flag is not
    pthread_mutex_unlock(&CM);
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    int waits = 0;
    pthread_setname_np(pthread_self(), "ctx-waiter");
    pthread_mutex_lock(&CM);
    while (!flag) {                 // flag already set: no wait
        pthread_cond_wait(&cond_c, &CM);
        waits++;
    }
    pthread_mutex_unlock(&CM);
    return (void *)(long)waits;
}

int main(void)
{
    pthread_t t;
    void *waits;
    pthread_create(&t, NULL, signaller, NULL);
    pthread_join(t, NULL);          // signal strictly before the waiter starts
    pthread_create(&t, NULL, waiter, NULL);
    pthread_join(t, &waits);
    printf("signal_before_wait: done (waiter slept %ld times)\n", (long)waits);
    return 0;
}
