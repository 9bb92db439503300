// dept-example: static_forks_ring
// expect: potential
// objects: forks
// summary: Dining philosophers over a static array: 5 forks initialised in one loop (one class, distinct objects). Each philosopher first eats 1000 times with its forks in index order (warming dept's caches of known acquisitions), then philosopher k takes fork k then fork k+1, the last one wrapping around to fork 0. They run one after the other, so nothing hangs, but run together they deadlock: one instance-level cycle of 5.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define N 5

static pthread_mutex_t forks[N];
static long meals;

static void eat(int first, int second)
{
    pthread_mutex_lock(&forks[first]);
    pthread_mutex_lock(&forks[second]);
    meals++;
    pthread_mutex_unlock(&forks[second]);
    pthread_mutex_unlock(&forks[first]);
}

static void *philosopher(void *arg)
{
    int k = (int)(long)arg;
    int left = k, right = (k + 1) % N;
    int lo = left < right ? left : right, hi = left < right ? right : left;
    for (int i = 0; i < 1000; i++) eat(lo, hi);
    eat(left, right);
    return NULL;
}

int main(void)
{
    for (int i = 0; i < N; i++) pthread_mutex_init(&forks[i], NULL);
    for (long k = 0; k < N; k++) {
        pthread_t t;
        pthread_create(&t, NULL, philosopher, (void *)k);
        pthread_join(t, NULL);
    }
    printf("static_forks_ring: done, %ld meals\n", meals);
    return 0;
}
