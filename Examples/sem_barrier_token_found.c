// dept-example: sem_barrier_token_found
// expect: silent
// objects: bar arrive leave
// summary: One round of a barrier built from semaphores (Helgrind's tc17_sembar, libgomp's old barrier): the last thread to arrive takes bar, posts arrive for the one other thread, then waits for leave holding bar. The other thread was preempted before its wait for arrive, so it finds the token already there and posts leave. The next round's last arrival takes bar before it posts arrive. The ring (leave awaited under bar, leave posted after a wait for arrive, arrive posted under bar) cannot close: the token the wait for arrive took was posted by the thread now waiting for leave, before it started waiting.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/sem_barrier_token_found Examples/sem_barrier_token_found.c
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "in_futex.h"

static pthread_mutex_t bar = PTHREAD_MUTEX_INITIALIZER;
static sem_t arrive, leave;
static int last_tid;                    // plain atomics: dept sees no order from them
static int round_two;

// Round one's last arrival: its token for the other thread, then the wait
// for that thread to leave, holding bar as tc17's gomp_barrier_wait does.
static void *last(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&bar);
    sem_post(&arrive);
    __atomic_store_n(&last_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    sem_wait(&leave);
    pthread_mutex_unlock(&bar);
    __atomic_store_n(&round_two, 1, __ATOMIC_RELEASE);
    return NULL;
}

// The other thread of round one, late to its wait for arrive: the token is
// there. As the last to leave it posts leave. Then round two's wait.
static void *other(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&last_tid, __ATOMIC_ACQUIRE)) usleep(1000);
    until_in_futex(__atomic_load_n(&last_tid, __ATOMIC_ACQUIRE));
    sem_wait(&arrive);
    sem_post(&leave);
    sem_wait(&arrive);
    return NULL;
}

// Round two's last arrival: bar, then arrive.
static void *next(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&round_two, __ATOMIC_ACQUIRE)) usleep(1000);
    pthread_mutex_lock(&bar);
    sem_post(&arrive);
    pthread_mutex_unlock(&bar);
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    sem_init(&arrive, 0, 0);
    sem_init(&leave, 0, 0);
    pthread_create(&t[0], NULL, last, NULL);
    pthread_create(&t[1], NULL, other, NULL);
    pthread_create(&t[2], NULL, next, NULL);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    sem_destroy(&arrive);
    sem_destroy(&leave);
    puts("sem_barrier_token_found: done");
    return 0;
}
