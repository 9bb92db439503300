// dept-example: join_under_lock_second_worker
// expect: potential
// objects: G
// summary: Two workers of one pool (one creation site, one class), joined in turn by main while it holds G. The first took G before it reported done, which main waited for: it was past G before its join was asked for (silent alone, as join_under_lock_taken_before). The second took G only after it reported done, unordered with the joins (main polls a flag dept cannot see): had main taken G first, the second worker would wait for G and main for it. Its join repeats the first join's observation (same thread, same held lock, same class) and is judged on the second worker's own waits: reported.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t G = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int done, stats;
static atomic_int past_g;

static void use_g(void)
{
    pthread_mutex_lock(&G);              // [W] G
    stats++;
    pthread_mutex_unlock(&G);
}

static void *worker(void *arg)
{
    int late = arg != NULL;
    if (!late) use_g();                  // before reporting done: ordered before the joins
    pthread_mutex_lock(&M);
    done++;
    pthread_cond_signal(&done_cv);
    pthread_mutex_unlock(&M);
    if (late) {
        use_g();                         // after reporting done: unordered with the joins
        atomic_store(&past_g, 1);        // an order dept cannot see
    }
    return NULL;
}

int main(void)
{
    pthread_t w[2];                      // one creation site, one class: w[0] early, w[1] late
    for (long i = 0; i < 2; i++) pthread_create(&w[i], NULL, worker, (void *)i);
    pthread_mutex_lock(&M);
    while (done < 2) pthread_cond_wait(&done_cv, &M);
    pthread_mutex_unlock(&M);
    while (!atomic_load(&past_g)) sched_yield();
    pthread_mutex_lock(&G);              // [S] G
    for (int i = 0; i < 2; i++)
        pthread_join(w[i], NULL);        // [W] a worker's exit: the early one was past G before its join, the late one not
    pthread_mutex_unlock(&G);
    printf("join_under_lock_second_worker: done %d\n", stats);
    return 0;
}
