// dept-example: sem_many_threads
// expect: silent
// objects: items slots Q done
// summary: a bounded queue of 8 slots between 20 producers and 20 consumers (semaphores items and slots, mutex Q), in 3 phases; each phase initialises the semaphores and condvar done anew and destroys them at its end. 41 threads release clocks into each semaphore, more entries than a record holds in itself, so the clock moves to memory of its own mid-phase and a record that had done so is reused by the next phase's objects. Correct code: nothing to report.
//
// Every post happens before the wait it satisfies, through any number of
// threads; the main thread waits on the condvar for the phase to end while
// holding nothing the workers need.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#define PRODUCERS 20
#define CONSUMERS 20
#define EACH 200
#define SLOTS 8
#define PHASES 3

static sem_t items, slots;
static pthread_mutex_t Q = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done;
static long queue[SLOTS];
static int head, tail, finished;
static long total;

static void *producer(void *arg)
{
    long base = (long)arg * EACH;
    for (long i = 0; i < EACH; i++) {
        while (sem_wait(&slots) != 0) {}
        pthread_mutex_lock(&Q);
        queue[tail] = base + i;
        tail = (tail + 1) % SLOTS;
        pthread_mutex_unlock(&Q);
        sem_post(&items);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (long i = 0; i < EACH; i++) {
        while (sem_wait(&items) != 0) {}
        pthread_mutex_lock(&Q);
        total += queue[head];
        head = (head + 1) % SLOTS;
        pthread_mutex_unlock(&Q);
        sem_post(&slots);
    }
    pthread_mutex_lock(&Q);
    if (++finished == CONSUMERS) pthread_cond_signal(&done);
    pthread_mutex_unlock(&Q);
    return NULL;
}

int main(void)
{
    for (int phase = 0; phase < PHASES; phase++) {
        sem_init(&items, 0, 0);
        sem_init(&slots, 0, SLOTS);
        pthread_cond_init(&done, NULL);
        finished = 0;
        pthread_t p[PRODUCERS], c[CONSUMERS];
        for (long i = 0; i < CONSUMERS; i++) pthread_create(&c[i], NULL, consumer, NULL);
        for (long i = 0; i < PRODUCERS; i++) pthread_create(&p[i], NULL, producer, (void *)i);
        pthread_mutex_lock(&Q);
        while (finished < CONSUMERS) pthread_cond_wait(&done, &Q);
        pthread_mutex_unlock(&Q);
        for (int i = 0; i < PRODUCERS; i++) pthread_join(p[i], NULL);
        for (int i = 0; i < CONSUMERS; i++) pthread_join(c[i], NULL);
        sem_destroy(&items);
        sem_destroy(&slots);
        pthread_cond_destroy(&done);
    }
    long n = (long)PRODUCERS * EACH;
    printf("sem_many_threads: done, total %ld (expected %ld)\n", total, (long)PHASES * (n * (n - 1) / 2));
    return 0;
}
