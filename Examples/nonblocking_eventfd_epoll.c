// dept-example: nonblocking_eventfd_epoll
// expect: silent
// objects: M efd_nb
// summary: An EFD_NONBLOCK eventfd is written by a producer and read by a consumer, both under mutex M; the consumer's only blocking call is epoll_wait, and non-blocking reads never wait, so holding M around them is harmless.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define EVENTS 10000

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static int efd_nb = -1, epfd = -1;

static void *producer(void *arg)
{
    (void)arg;
    uint64_t one = 1;
    pthread_setname_np(pthread_self(), "ctx-producer");
    for (int i = 0; i < EVENTS; i++) {
        pthread_mutex_lock(&M);
        if (write(efd_nb, &one, sizeof one) != sizeof one)  // never blocks
            perror("write");
        pthread_mutex_unlock(&M);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    uint64_t total = 0, v;
    struct epoll_event ev;
    pthread_setname_np(pthread_self(), "ctx-consumer");
    while (total < EVENTS) {
        if (epoll_wait(epfd, &ev, 1, -1) < 0) {     // the only blocking call
            if (errno == EINTR) continue;
            perror("epoll_wait");
            break;
        }
        pthread_mutex_lock(&M);
        if (read(efd_nb, &v, sizeof v) == sizeof v) // EAGAIN if already drained
            total += v;
        pthread_mutex_unlock(&M);
    }
    return (void *)(uintptr_t)total;
}

int main(void)
{
    pthread_t p, c;
    void *total;
    efd_nb = eventfd(0, EFD_NONBLOCK);
    epfd = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = efd_nb };
    epoll_ctl(epfd, EPOLL_CTL_ADD, efd_nb, &ev);
    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, &total);
    close(epfd);
    close(efd_nb);
    printf("nonblocking_eventfd_epoll: done %lu\n", (unsigned long)(uintptr_t)total);
    return 0;
}
