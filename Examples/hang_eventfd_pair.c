// dept-example: hang_eventfd_pair
// expect: hang
// objects: efd_1 efd_2
// summary: Thread X reads blocking eventfd efd_1 before it would write efd_2, thread Y reads efd_2 before it would write efd_1; both sleep forever, but eventfds have no owner, so only "every thread is blocked" (a hang) can be proven, not who would have written.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int efd_1 = -1, efd_2 = -1;

static void *ctx_x(void *arg)
{
    (void)arg;
    uint64_t v, one = 1;
    pthread_setname_np(pthread_self(), "ctx-X");
    if (read(efd_1, &v, sizeof v) != sizeof v) perror("read");     // blocks forever
    if (write(efd_2, &one, sizeof one) != sizeof one) perror("write");
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    uint64_t v, one = 1;
    pthread_setname_np(pthread_self(), "ctx-Y");
    if (read(efd_2, &v, sizeof v) != sizeof v) perror("read");     // blocks forever
    if (write(efd_1, &one, sizeof one) != sizeof one) perror("write");
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t x, y;
    efd_1 = eventfd(0, 0);
    efd_2 = eventfd(0, 0);
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("hang_eventfd_pair: unreachable");
    return 0;
}
