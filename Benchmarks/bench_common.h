// Shared helpers for the dept benchmarks (Benchmarks/*.c).
//
// Every benchmark takes its sizes as positional arguments (all optional, with
// the defaults documented at the top of each file), prints nothing but one
// checksum line on stdout, and exits 0. Errors go to stderr with status 2.
//
// bench_abba() runs one lock-order inversion (A then B in one thread, B then
// A in another, sequenced with joins so it can never hang). The scale
// benchmarks call it at the end: a run under dept must report it with the
// headline "DEPT: potential deadlock:"; Scripts/bench checks that.
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_UNUSED __attribute__((unused))

// Positional argument i (1-based) as a long, or def when absent.
static BENCH_UNUSED long bench_arg(int argc, char **argv, int i, long def) {
    if (argc <= i) return def;
    char *end;
    long v = strtol(argv[i], &end, 0);
    if (*argv[i] == '\0' || *end != '\0' || v < 0) {
        fprintf(stderr, "%s: bad argument %d: '%s'\n", argv[0], i, argv[i]);
        exit(2);
    }
    return v;
}

// For pthread_* calls that return an error number.
#define BENCH_CHECK(call) do {                                              \
        int bench_err_ = (call);                                            \
        if (bench_err_) {                                                   \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,   \
                    strerror(bench_err_));                                  \
            exit(2);                                                        \
        }                                                                   \
    } while (0)

static BENCH_UNUSED void *bench_xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
    return p;
}

static pthread_mutex_t bench_abba_A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t bench_abba_B = PTHREAD_MUTEX_INITIALIZER;

static BENCH_UNUSED void *bench_abba_ab(void *arg) {
    (void)arg;
    pthread_mutex_lock(&bench_abba_A);
    pthread_mutex_lock(&bench_abba_B);
    pthread_mutex_unlock(&bench_abba_B);
    pthread_mutex_unlock(&bench_abba_A);
    return NULL;
}

static BENCH_UNUSED void *bench_abba_ba(void *arg) {
    (void)arg;
    pthread_mutex_lock(&bench_abba_B);
    pthread_mutex_lock(&bench_abba_A);
    pthread_mutex_unlock(&bench_abba_A);
    pthread_mutex_unlock(&bench_abba_B);
    return NULL;
}

// One AB-BA inversion that cannot hang: the second thread starts only after
// the first has been joined.
static BENCH_UNUSED void bench_abba(void) {
    pthread_t t;
    BENCH_CHECK(pthread_create(&t, NULL, bench_abba_ab, NULL));
    BENCH_CHECK(pthread_join(t, NULL));
    BENCH_CHECK(pthread_create(&t, NULL, bench_abba_ba, NULL));
    BENCH_CHECK(pthread_join(t, NULL));
}

// A cache-line-sized mutex + counter, so that different mutexes of an array
// do not share a line (the benchmark measures the lock path, not false
// sharing).
struct bench_slot {
    pthread_mutex_t m;
    long count;
} __attribute__((aligned(64)));

#endif
