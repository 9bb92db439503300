// dept-example: eventfd_under_mutex
// expect: potential
// objects: M efd_e
// summary: A producer writes blocking eventfd efd_e while holding M and a consumer reads efd_e while holding M; the producer runs first so the read returns at once, but a consumer that gets M first sleeps on efd_e and the producer never gets M.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static int efd_e = -1;                      // blocking eventfd

static void *producer(void *arg)
{
    (void)arg;
    uint64_t one = 1;
    pthread_setname_np(pthread_self(), "ctx-producer");
    pthread_mutex_lock(&M);
    if (write(efd_e, &one, sizeof one) != sizeof one)  // [E] efd_e while holding M
        perror("write");
    pthread_mutex_unlock(&M);
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    uint64_t v = 0;
    pthread_setname_np(pthread_self(), "ctx-consumer");
    pthread_mutex_lock(&M);
    if (read(efd_e, &v, sizeof v) != sizeof v)         // [W] efd_e while holding M
        perror("read");
    pthread_mutex_unlock(&M);
    return (void *)(uintptr_t)v;
}

int main(void)
{
    pthread_t t;
    void *v;
    efd_e = eventfd(0, 0);
    pthread_create(&t, NULL, producer, NULL);   // producer first, joined
    pthread_join(t, NULL);
    pthread_create(&t, NULL, consumer, NULL);   // read returns at once
    pthread_join(t, &v);
    close(efd_e);
    printf("eventfd_under_mutex: done %lu\n", (unsigned long)(uintptr_t)v);
    return 0;
}
