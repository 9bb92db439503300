// dept-example: epoll_server_idle_workers
// expect: silent
// objects: pool_lock has_work efd_wake
// summary: A server thread sits in epoll_wait on eventfd efd_wake and idle workers wait on condvar has_work while main sleeps 2.5 s, then main wakes the server, which shuts the pool down; blocked threads plus a thread in epoll/sleep is no hang.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 3

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t has_work = PTHREAD_COND_INITIALIZER;
static int shutting_down, jobs;
static int efd_wake = -1, epfd = -1;

static void *worker(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "ctx-worker-%ld", (long)arg);
    pthread_setname_np(pthread_self(), name);
    pthread_mutex_lock(&pool_lock);
    while (!shutting_down) {
        while (jobs == 0 && !shutting_down)
            pthread_cond_wait(&has_work, &pool_lock);   // idle, untimed
        if (jobs > 0)
            jobs--;
    }
    pthread_mutex_unlock(&pool_lock);
    return NULL;
}

static void *server(void *arg)
{
    (void)arg;
    struct epoll_event ev;
    uint64_t v;
    pthread_setname_np(pthread_self(), "ctx-server");
    while (epoll_wait(epfd, &ev, 1, -1) != 1)   // blocked in epoll ~2.5 s
        ;
    if (read(efd_wake, &v, sizeof v) != sizeof v)  // ready: returns at once
        perror("read");
    pthread_mutex_lock(&pool_lock);             // shut the pool down
    shutting_down = 1;
    pthread_cond_broadcast(&has_work);
    pthread_mutex_unlock(&pool_lock);
    return NULL;
}

int main(void)
{
    alarm(10);                                  // safety only; ~2.5 s run
    pthread_t s, w[WORKERS];
    uint64_t one = 1;
    efd_wake = eventfd(0, 0);
    epfd = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = efd_wake };
    epoll_ctl(epfd, EPOLL_CTL_ADD, efd_wake, &ev);
    pthread_setname_np(pthread_self(), "ctx-main");
    pthread_create(&s, NULL, server, NULL);
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&w[i], NULL, worker, (void *)i);

    struct timespec ts = { 2, 500 * 1000 * 1000 };
    nanosleep(&ts, NULL);                       // the scenario: idle for 2.5 s
    if (write(efd_wake, &one, sizeof one) != sizeof one)
        perror("write");

    pthread_join(s, NULL);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(w[i], NULL);
    close(epfd);
    close(efd_wake);
    puts("epoll_server_idle_workers: done");
    return 0;
}
