// Scale, objects: OBJECTS distinct mutexes, each malloc'ed,
// pthread_mutex_init'ed (one call site, so one class), locked once under a
// static outer mutex, unlocked, destroyed and freed. BATCH objects are alive
// at a time, so the allocator hands the same addresses out again and again:
// dept must neither grow with the number of objects nor merge a destroyed
// object with the next one at its address. With DESTROY=0 the objects are
// freed without pthread_mutex_destroy (common in real code, since it is a
// no-op in glibc). Then one AB-BA inversion that dept must report.
//
// usage: scale_objects [objects=1000000] [batch=1000] [destroy=1]
// prints: the number of objects used
#include "bench_common.h"

static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;

int main(int argc, char **argv) {
    long objects = bench_arg(argc, argv, 1, 1000000);
    long batch = bench_arg(argc, argv, 2, 1000);
    long destroy = bench_arg(argc, argv, 3, 1);
    if (batch < 1) { fprintf(stderr, "bad sizes\n"); return 2; }
    pthread_mutex_t **live = bench_xmalloc(batch * sizeof *live);
    long used = 0;
    for (long done = 0; done < objects; ) {
        long n = objects - done < batch ? objects - done : batch;
        for (long i = 0; i < n; i++) {
            live[i] = bench_xmalloc(sizeof **live);
            BENCH_CHECK(pthread_mutex_init(live[i], NULL));
        }
        for (long i = 0; i < n; i++) {
            pthread_mutex_lock(&outer);
            pthread_mutex_lock(live[i]);
            used++;
            pthread_mutex_unlock(live[i]);
            pthread_mutex_unlock(&outer);
        }
        for (long i = 0; i < n; i++) {
            if (destroy) BENCH_CHECK(pthread_mutex_destroy(live[i]));
            free(live[i]);
        }
        done += n;
    }
    free(live);
    bench_abba();
    printf("%ld\n", used);
    return 0;
}
