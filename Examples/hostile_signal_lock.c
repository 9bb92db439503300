// dept-example: hostile_signal_lock
// expect: silent
// objects: H A B
// summary: a SIGUSR1 handler locks and unlocks H while the interrupted thread is in a loop taking A then B (and sometimes blocked on A held by a contender); another thread delivers 4000 signals with pthread_kill, one at a time, alternating between the two looping threads; A -> H and B -> H only, no cycle.
//
// Hostile because: the handler's lock/unlock can arrive in the middle of a
// dept hook on the same thread (between bookkeeping and the real call), and
// while the thread is blocked in a contended pthread_mutex_lock. Taking a
// mutex in a signal handler is not async-signal-safe in theory; programs do
// it anyway, and it is safe here because nothing else ever takes H.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SIGNALS 4000

static pthread_mutex_t H = PTHREAD_MUTEX_INITIALIZER;   // taken in the handler (and by main once at the end)
static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static sem_t handled;                 // sem_post is async-signal-safe
static volatile long in_handler;      // guarded by H
static atomic_int stop;
static atomic_long loops;

static void on_usr1(int sig)
{
    (void)sig;
    int saved = errno;
    pthread_mutex_lock(&H);
    in_handler++;
    pthread_mutex_unlock(&H);
    errno = saved;
    sem_post(&handled);
}

// Takes A then B in a loop until told to stop.
// (A yield now and then leaves the sender some CPU on a busy 2-CPU machine.)
static void loop_once(void)
{
    pthread_mutex_lock(&A);
    pthread_mutex_lock(&B);
    long n = atomic_fetch_add(&loops, 1);
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(&A);
    if ((n & 31) == 0) sched_yield();
}

static void *looper(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) loop_once();
    return NULL;
}

struct targets { pthread_t t[2]; };

static void *sender(void *arg)
{
    struct targets *tg = arg;
    pthread_setname_np(pthread_self(), "ctx-sender");
    for (int i = 0; i < SIGNALS; i++) {
        pthread_kill(tg->t[i & 1], SIGUSR1);
        // One signal in flight at a time: none is lost by coalescing.
        while (sem_wait(&handled) != 0 && errno == EINTR) {}
    }
    return NULL;
}

int main(void)
{
    alarm(10);
    sem_init(&handled, 0, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);

    struct targets tg;
    tg.t[0] = pthread_self();             // main loops too
    pthread_t other, snd;
    pthread_create(&other, NULL, looper, NULL);
    tg.t[1] = other;
    pthread_create(&snd, NULL, sender, &tg);

    // Main loops until the sender is done.
    while (pthread_tryjoin_np(snd, NULL) == EBUSY) loop_once();
    atomic_store(&stop, 1);
    pthread_join(other, NULL);

    pthread_mutex_lock(&H);
    long n = in_handler;
    pthread_mutex_unlock(&H);
    printf("hostile_signal_lock: done, %ld signals handled\n", n);
    return 0;
}
