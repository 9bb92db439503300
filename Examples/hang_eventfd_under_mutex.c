// dept-example: hang_eventfd_under_mutex
// expect: deadlock
// objects: M efd_e
// summary: The consumer holds M and blocks reading eventfd efd_e whose counter is 0, while the producer waits for M before it would write efd_e; a warm-up round first lets the detector see the producer write efd_e under M.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static int efd_e = -1;                      // blocking eventfd
static pthread_barrier_t consumer_holds_m;

static void *producer(void *arg)
{
    uint64_t one = 1;
    pthread_setname_np(pthread_self(), "ctx-producer");
    if (arg)
        pthread_barrier_wait(&consumer_holds_m);
    pthread_mutex_lock(&M);                 // hang round: blocks, the consumer holds M
    if (write(efd_e, &one, sizeof one) != sizeof one) perror("write");
    pthread_mutex_unlock(&M);
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    uint64_t v;
    pthread_setname_np(pthread_self(), "ctx-consumer");
    pthread_mutex_lock(&M);
    pthread_barrier_wait(&consumer_holds_m);
    if (read(efd_e, &v, sizeof v) != sizeof v) perror("read");  // blocks: counter is 0
    pthread_mutex_unlock(&M);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t p, c;
    uint64_t v;
    efd_e = eventfd(0, 0);
    pthread_barrier_init(&consumer_holds_m, NULL, 2);

    // Warm-up round (completes): the producer writes under M; main drains.
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    if (read(efd_e, &v, sizeof v) != sizeof v) perror("read");

    // Hang round: the consumer gets M first and reads; the producer needs M.
    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&p, NULL, producer, (void *)1);
    pthread_join(c, NULL);
    pthread_join(p, NULL);
    puts("hang_eventfd_under_mutex: unreachable");
    return 0;
}
