// dept-example: timedwait_poll
// expect: silent
// objects: L cond_c
// summary: A poller holds outer lock L while it waits on cond_c with a 10 ms pthread_cond_timedwait, and a signaller takes L before signalling cond_c; the L -> cond_c -> L cycle goes through a timed wait that cannot hang forever, so no deadlock report (at most a warning).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define ROUNDS 3
#define POLLS 3                 // timeouts per round before the poller gives up

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;      // outer lock
static pthread_mutex_t CM = PTHREAD_MUTEX_INITIALIZER;     // cond_c's mutex
static pthread_cond_t cond_c = PTHREAD_COND_INITIALIZER;
static int flag, timeouts;

static void *poller(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-poller");
    pthread_mutex_lock(&L);
    pthread_mutex_lock(&CM);
    for (int n = 0; !flag && n < POLLS; n++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 10 * 1000 * 1000;     // 10 ms
        if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
        if (pthread_cond_timedwait(&cond_c, &CM, &ts) == ETIMEDOUT)  // timed [W] cond_c under L
            timeouts++;
    }
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&L);
    return NULL;
}

static void *signaller(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-signaller");
    pthread_mutex_lock(&L);                 // L before the signal: [E] cond_c depends on L
    pthread_mutex_lock(&CM);
    flag = 1;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&L);
    return NULL;
}

int main(void)
{
    pthread_t t;
    // Each round: the poller polls (and times out) while holding L, then the
    // signaller takes L and signals. Sequenced by joins: no starvation on L.
    for (int r = 0; r < ROUNDS; r++) {
        flag = 0;
        pthread_create(&t, NULL, poller, NULL);
        pthread_join(t, NULL);
        pthread_create(&t, NULL, signaller, NULL);
        pthread_join(t, NULL);
    }
    printf("timedwait_poll: done (%d timeouts)\n", timeouts);
    return 0;
}
