// dept-example: hostile_many_held
// expect: silent
// objects: statics pool
// summary: one thread holds 2000 mutexes at once (locked in index order, unlocked in reverse), then a second thread does the same in the same order; first with 2000 static mutexes (2000 classes), then with 2000 heap mutexes initialised at one site (one class, nested instances); no report, no crash, no cap abort.
//
// Hostile because: TSan aborts above 64 held locks; a detector must grow
// its per-thread held set, and 2000 nested static locks mean about two
// million distinct ordered pairs (i before j) to learn without slowing down
// to a crawl or running out of memory.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define N 2000

static pthread_mutex_t statics[N] = { [0 ... N - 1] = PTHREAD_MUTEX_INITIALIZER };
static pthread_mutex_t *pool;
static long total;

static void *hold_all(void *arg)
{
    pthread_mutex_t *m = arg;
    for (int i = 0; i < N; i++) pthread_mutex_lock(&m[i]);
    total += N;                           // guarded by m[0]
    for (int i = N - 1; i >= 0; i--) pthread_mutex_unlock(&m[i]);
    return NULL;
}

static void twice(pthread_mutex_t *m)
{
    pthread_t t;
    pthread_create(&t, NULL, hold_all, m);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, hold_all, m);
    pthread_join(t, NULL);
}

int main(void)
{
    alarm(10);
    twice(statics);
    pool = malloc(N * sizeof *pool);
    for (int i = 0; i < N; i++) pthread_mutex_init(&pool[i], NULL);
    twice(pool);
    for (int i = 0; i < N; i++) pthread_mutex_destroy(&pool[i]);
    free(pool);
    printf("hostile_many_held: done, total=%ld\n", total);
    return 0;
}
