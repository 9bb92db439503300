// Scale, thread churn: TOTAL threads created and joined over the run, WAVE at
// a time; each takes two static mutexes nested in a consistent order once
// (and a per-thread heap mutex). Exited threads must be reclaimed: memory
// must not grow with TOTAL. Then one AB-BA inversion that dept must report.
//
// usage: scale_create [total=100000] [wave=4]
// prints: the number of threads that ran
#include "bench_common.h"

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static long ran;

static void *worker(void *arg) {
    (void)arg;
    pthread_mutex_t own;
    BENCH_CHECK(pthread_mutex_init(&own, NULL));
    pthread_mutex_lock(&own);
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    ran++;
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&own);
    pthread_mutex_destroy(&own);
    return NULL;
}

int main(int argc, char **argv) {
    long total = bench_arg(argc, argv, 1, 100000);
    long wave = bench_arg(argc, argv, 2, 4);
    if (wave < 1) { fprintf(stderr, "bad sizes\n"); return 2; }
    pthread_t *t = bench_xmalloc(wave * sizeof *t);
    for (long done = 0; done < total; ) {
        long n = total - done < wave ? total - done : wave;
        for (long i = 0; i < n; i++) BENCH_CHECK(pthread_create(&t[i], NULL, worker, NULL));
        for (long i = 0; i < n; i++) BENCH_CHECK(pthread_join(t[i], NULL));
        done += n;
    }
    free(t);
    bench_abba();
    printf("%ld\n", ran);
    return 0;
}
