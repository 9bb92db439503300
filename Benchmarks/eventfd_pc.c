// eventfd producer/consumer: a producer sends ITEMS items to a consumer
// through a blocking eventfd (counter mode: one read takes everything
// written so far). Flow control goes the other way through a second eventfd
// in semaphore mode whose initial value is WINDOW credits: the producer takes
// one credit (read) before each item, the consumer gives back one per item
// it read. The initial count guarantees progress, so nothing to report.
// WINDOW=1 (the default) makes it a ping-pong: one round trip per item.
//
// usage: eventfd_pc [items=100000] [window=1]
// prints: the number of items consumed
#include "bench_common.h"
#include <sys/eventfd.h>
#include <unistd.h>

static long items;
static int data_fd, credit_fd;
static long consumed;

static uint64_t get(int fd) {
    uint64_t v;
    for (;;) {
        ssize_t r = read(fd, &v, sizeof v);
        if (r == (ssize_t)sizeof v) return v;
        if (r < 0 && errno == EINTR) continue;
        perror("read eventfd");
        exit(2);
    }
}

static void put(int fd, uint64_t v) {
    for (;;) {
        ssize_t r = write(fd, &v, sizeof v);
        if (r == (ssize_t)sizeof v) return;
        if (r < 0 && errno == EINTR) continue;
        perror("write eventfd");
        exit(2);
    }
}

static void *consumer(void *arg) {
    (void)arg;
    while (consumed < items) {
        uint64_t v = get(data_fd);
        consumed += (long)v;
        put(credit_fd, v);
    }
    return NULL;
}

int main(int argc, char **argv) {
    items = bench_arg(argc, argv, 1, 100000);
    long window = bench_arg(argc, argv, 2, 1);
    if (window < 1 || window > 0x7fffffff) { fprintf(stderr, "bad sizes\n"); return 2; }
    data_fd = eventfd(0, EFD_CLOEXEC);
    credit_fd = eventfd((unsigned)window, EFD_CLOEXEC | EFD_SEMAPHORE);
    if (data_fd < 0 || credit_fd < 0) { perror("eventfd"); return 2; }
    pthread_t t;
    BENCH_CHECK(pthread_create(&t, NULL, consumer, NULL));
    for (long i = 0; i < items; i++) {
        get(credit_fd);
        put(data_fd, 1);
    }
    BENCH_CHECK(pthread_join(t, NULL));
    close(data_fd);
    close(credit_fd);
    printf("%ld\n", consumed);
    return 0;
}
