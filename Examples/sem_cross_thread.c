// dept-example: sem_cross_thread
// expect: silent
// objects: slot_free slot_full M
// summary: Binary semaphore slot_free is always taken by thread 1 (while it holds M) and always released by thread 2, which never touches M, 50k times; a semaphore released by another thread than its taker is no lock and there is no cycle.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#define ROUNDS 50000

static sem_t slot_free;         // initial 1: taken by thread 1, posted by thread 2
static sem_t slot_full;         // initial 0: posted by thread 1, taken by thread 2
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static long slot, produced, consumed;

static void *taker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-taker");
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&M);
        sem_wait(&slot_free);   // taken here, never posted by this thread
        slot = i + 1;
        produced += slot;
        pthread_mutex_unlock(&M);
        sem_post(&slot_full);
    }
    return NULL;
}

static void *releaser(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-releaser");
    for (int i = 0; i < ROUNDS; i++) {
        sem_wait(&slot_full);
        consumed += slot;
        sem_post(&slot_free);   // released by the other thread, without M
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    sem_init(&slot_free, 0, 1);
    sem_init(&slot_full, 0, 0);
    pthread_create(&a, NULL, taker, NULL);
    pthread_create(&b, NULL, releaser, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("sem_cross_thread: done %ld %ld\n", produced, consumed);
    return produced == consumed ? 0 : 1;
}
