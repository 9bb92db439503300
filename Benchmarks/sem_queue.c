// Semaphore as a work queue's counter: PRODUCERS threads each post one
// unnamed semaphore POSTS times ("an item is ready"), then CONSUMERS
// threads take all of them with sem_wait. The consumers start once the
// producers are done, so no post finds anybody waiting and no wait blocks:
// unlike the ping-pongs, whose every operation is a wake-up and a system
// call, this measures what dept adds to a semaphore operation itself. Run
// together, the two sides' time depends mostly on how the threads meet on
// the semaphore's line and whether consumers sleep (the same 4 x 1M run
// took 0.08 s and 0.49 s plain on one evening). Nothing to report.
//
// usage: sem_queue [producers=4] [consumers=2] [posts_per_producer=1000000]
// prints: the number of tokens taken
#include "bench_common.h"
#include <semaphore.h>

static sem_t items;
static long posts, takes_each;
static long taken[64];

static void *producer(void *arg) {
    (void)arg;
    for (long i = 0; i < posts; i++) sem_post(&items);
    return NULL;
}

// Counted in a local: the consumers' counters share a line, and writing
// them on every take cost plain runs a fifth of their time.
static void *consumer(void *arg) {
    long n = 0;
    for (long i = 0; i < takes_each; i++) {
        while (sem_wait(&items) != 0)
            if (errno != EINTR) { perror("sem_wait"); exit(2); }
        n++;
    }
    *(long *)arg = n;
    return NULL;
}

int main(int argc, char **argv) {
    long producers = bench_arg(argc, argv, 1, 4);
    long consumers = bench_arg(argc, argv, 2, 2);
    posts = bench_arg(argc, argv, 3, 1000000);
    if (producers < 1 || consumers < 1 || consumers > 64 || (producers * posts) % consumers) {
        fprintf(stderr, "need 1..64 consumers dividing producers x posts\n");
        return 2;
    }
    takes_each = producers * posts / consumers;
    if (sem_init(&items, 0, 0)) { perror("sem_init"); return 2; }
    pthread_t *t = bench_xmalloc((size_t)(producers + consumers) * sizeof *t);
    for (long i = 0; i < producers; i++) BENCH_CHECK(pthread_create(&t[i], NULL, producer, NULL));
    for (long i = 0; i < producers; i++) BENCH_CHECK(pthread_join(t[i], NULL));
    for (long i = 0; i < consumers; i++) BENCH_CHECK(pthread_create(&t[producers + i], NULL, consumer, &taken[i]));
    long total = 0;
    for (long i = 0; i < consumers; i++) BENCH_CHECK(pthread_join(t[producers + i], NULL));
    for (long i = 0; i < consumers; i++) total += taken[i];
    free(t);
    sem_destroy(&items);
    printf("%ld\n", total);
    return 0;
}
