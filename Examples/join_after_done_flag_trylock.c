// dept-example: join_after_done_flag_trylock
// expect: silent
// objects: L done_cv
// summary: join_after_done_flag with main polling instead of waiting: each worker marks itself done under L and broadcasts done_cv (nobody waits on it), then exits; main takes L only with pthread_mutex_trylock, and once it finds the worker's flag set it joins that worker still holding L. The worker's last wait for L returned before main's trylock, which learned so through L, the mutex the broadcast was made under (R2.4): a trylock learns what was published into L as a lock does.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#define WORKERS 4

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int done[WORKERS];
static long result[WORKERS];

static void *worker(void *arg)
{
    long i = (long)arg;
    long sum = 0;
    for (long k = 0; k < 100000 * (i + 1); k++) sum += k % 7;
    pthread_mutex_lock(&L);             // the worker's last wait: for L
    result[i] = sum;
    done[i] = 1;
    pthread_cond_broadcast(&done_cv);   // under L: publishes the worker's clock into L
    pthread_mutex_unlock(&L);
    return NULL;                        // exit: nothing waited for since L
}

int main(void)
{
    alarm(10);                          // never hang for more than 10 s
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    long total = 0;
    for (int i = 0; i < WORKERS; i++) {
        for (;;) {
            if (pthread_mutex_trylock(&L) == 0) {
                if (done[i]) break;     // L held: the flag was set under L
                pthread_mutex_unlock(&L);
            }
            sched_yield();
        }
        pthread_join(t[i], NULL);       // joined while holding L
        total += result[i];
        pthread_mutex_unlock(&L);
    }
    printf("join_after_done_flag_trylock: done %ld\n", total);
    return 0;
}
