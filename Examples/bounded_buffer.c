// dept-example: bounded_buffer
// expect: silent
// objects: buf_lock not_full not_empty
// summary: Two producers and two consumers pass 100k items through a 16-slot ring guarded by one mutex and two condvars with predicate loops; every wait is re-checked against state, so there is no circular dependency.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define SLOTS 16
#define ITEMS 100000            // total, split between 2 producers and 2 consumers

static pthread_mutex_t buf_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static long ring[SLOTS];
static int head, tail, count;

static void *producer(void *arg)
{
    long base = (long)arg;
    pthread_setname_np(pthread_self(), base ? "ctx-prod-1" : "ctx-prod-0");
    for (long i = 0; i < ITEMS / 2; i++) {
        pthread_mutex_lock(&buf_lock);
        while (count == SLOTS)
            pthread_cond_wait(&not_full, &buf_lock);
        ring[tail] = base * (ITEMS / 2) + i + 1;
        tail = (tail + 1) % SLOTS;
        count++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&buf_lock);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    long sum = 0;
    pthread_setname_np(pthread_self(), arg ? "ctx-cons-1" : "ctx-cons-0");
    for (long i = 0; i < ITEMS / 2; i++) {
        pthread_mutex_lock(&buf_lock);
        while (count == 0)
            pthread_cond_wait(&not_empty, &buf_lock);
        sum += ring[head];
        head = (head + 1) % SLOTS;
        count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&buf_lock);
    }
    return (void *)sum;
}

int main(void)
{
    pthread_t p[2], c[2];
    void *s0, *s1;
    for (long i = 0; i < 2; i++) {
        pthread_create(&c[i], NULL, consumer, (void *)i);
        pthread_create(&p[i], NULL, producer, (void *)i);
    }
    pthread_join(p[0], NULL);
    pthread_join(p[1], NULL);
    pthread_join(c[0], &s0);
    pthread_join(c[1], &s1);
    // sum of 1..ITEMS
    printf("bounded_buffer: done %ld (expect %ld)\n", (long)s0 + (long)s1,
           (long)ITEMS * (ITEMS + 1) / 2);
    return 0;
}
