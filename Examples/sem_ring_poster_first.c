// dept-example: sem_ring_poster_first
// expect: potential
// objects: bar arrive leave
// summary: The near miss of sem_barrier_token_found: the thread that posts arrive does it under bar, and the thread that waits for leave holds bar; the other thread waits for arrive, then posts leave. In this run the poster went first, so the other thread found its token and nothing hung; had the waiter taken bar first, the poster would wait for bar, the other thread for arrive, and the waiter for leave. Nothing but bar ordered the post before the wait for leave (an unlock is no happens-before edge), so the ring is reported.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/sem_ring_poster_first Examples/sem_ring_poster_first.c
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "in_futex.h"

static pthread_mutex_t bar = PTHREAD_MUTEX_INITIALIZER;
static sem_t arrive, leave;
static int posted;                      // plain atomics: dept sees no order from them
static int waiter_tid;

static void *poster(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&bar);
    sem_post(&arrive);
    pthread_mutex_unlock(&bar);
    __atomic_store_n(&posted, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&posted, __ATOMIC_ACQUIRE)) usleep(1000);
    pthread_mutex_lock(&bar);
    __atomic_store_n(&waiter_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    sem_wait(&leave);
    pthread_mutex_unlock(&bar);
    return NULL;
}

static void *other(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&waiter_tid, __ATOMIC_ACQUIRE)) usleep(1000);
    until_in_futex(__atomic_load_n(&waiter_tid, __ATOMIC_ACQUIRE));
    sem_wait(&arrive);
    sem_post(&leave);
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    sem_init(&arrive, 0, 0);
    sem_init(&leave, 0, 0);
    pthread_create(&t[0], NULL, poster, NULL);
    pthread_create(&t[1], NULL, waiter, NULL);
    pthread_create(&t[2], NULL, other, NULL);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    sem_destroy(&arrive);
    sem_destroy(&leave);
    puts("sem_ring_poster_first: done");
    return 0;
}
