// Scale, classes: 10,000 distinct lock classes, taken pairwise in one global
// order (a chain of CLASSES-1 dependencies), ROUNDS times. Then one AB-BA
// inversion that dept must report.
//
// How 10k classes are made in C (DESIGN §4: a static object is its own class;
// a heap object takes the class of its pthread_mutex_init call site): the
// preprocessor (L10/L100/L1000 below) generates
//   * 5,000 static mutexes s_0000 .. s_4999 (distinct symbols, so 5,000
//     classes whether classes are keyed by address or by symbol), and
//   * 5,000 distinct init call sites: noinline functions site_0000 ..
//     site_4999, each calling pthread_mutex_init on a heap mutex (they return
//     different constants, so gcc's identical-code folding cannot merge them;
//     they share one source line, so their class names look alike, but the
//     call sites are distinct return addresses).
// The chain alternates static and heap classes: s_0000, h_0000, s_0001,
// h_0001, ...
//
// usage: scale_classes [classes=10000] [rounds=10]
// prints: the number of nested acquisitions
#include "bench_common.h"

#define HALF 5000

#define L10(M, p) M(p##0) M(p##1) M(p##2) M(p##3) M(p##4) M(p##5) M(p##6) M(p##7) M(p##8) M(p##9)
#define L100(M, p) L10(M, p##0) L10(M, p##1) L10(M, p##2) L10(M, p##3) L10(M, p##4) \
                   L10(M, p##5) L10(M, p##6) L10(M, p##7) L10(M, p##8) L10(M, p##9)
#define L1000(M, p) L100(M, p##0) L100(M, p##1) L100(M, p##2) L100(M, p##3) L100(M, p##4) \
                    L100(M, p##5) L100(M, p##6) L100(M, p##7) L100(M, p##8) L100(M, p##9)
#define L5000(M) L1000(M, 0) L1000(M, 1) L1000(M, 2) L1000(M, 3) L1000(M, 4)

#define DEF_STATIC(p) static pthread_mutex_t s_##p = PTHREAD_MUTEX_INITIALIZER;
#define ADDR_STATIC(p) &s_##p,
#define DEF_SITE(p) \
    static __attribute__((noinline)) long site_##p(pthread_mutex_t *m) { \
        pthread_mutex_init(m, NULL);                                       \
        return 1##p;                                                       \
    }
#define PTR_SITE(p) site_##p,

L5000(DEF_STATIC)
static pthread_mutex_t *const statics[HALF] = { L5000(ADDR_STATIC) };
L5000(DEF_SITE)
static long (*const sites[HALF])(pthread_mutex_t *) = { L5000(PTR_SITE) };

int main(int argc, char **argv) {
    long nclasses = bench_arg(argc, argv, 1, 2 * HALF);
    long rounds = bench_arg(argc, argv, 2, 10);
    if (nclasses < 2 || nclasses > 2 * HALF) { fprintf(stderr, "classes must be 2..%d\n", 2 * HALF); return 2; }
    long half = nclasses / 2;
    pthread_mutex_t **chain = bench_xmalloc(2 * half * sizeof *chain);
    long tag = 0;
    for (long i = 0; i < half; i++) {
        chain[2 * i] = statics[i];
        chain[2 * i + 1] = bench_xmalloc(sizeof **chain);
        tag += sites[i](chain[2 * i + 1]);
    }
    long n = 0, len = 2 * half;
    for (long r = 0; r < rounds; r++) {
        for (long i = 0; i + 1 < len; i++) {
            pthread_mutex_lock(chain[i]);
            pthread_mutex_lock(chain[i + 1]);
            n++;
            pthread_mutex_unlock(chain[i + 1]);
            pthread_mutex_unlock(chain[i]);
        }
    }
    for (long i = 0; i < half; i++) {
        pthread_mutex_destroy(chain[2 * i + 1]);
        free(chain[2 * i + 1]);
    }
    free(chain);
    bench_abba();
    printf("%ld\n", n + (tag == 0));
    return 0;
}
