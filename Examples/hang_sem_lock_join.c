// dept-example: hang_sem_lock_join
// expect: deadlock
// objects: sem_lock
// summary: The near miss of sem_gate_opened_by_other: the semaphore is a lock (main took it and posted it back once), main takes it again and joins a worker that waits for it. Only a taker of a lock releases it, so main is the worker's only waker while main waits for the worker: a deadlock, proven live although no other thread is blocked with them.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static sem_t sem_lock;

static void *worker(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    sem_wait(&sem_lock);    // waits for main's release
    sem_post(&sem_lock);
    return NULL;
}

static void *idler(void *arg) {
    (void)arg;
    for (;;) pause();       // a thread that runs on, unrelated
    return NULL;
}

int main(void) {
    alarm(10);
    sem_init(&sem_lock, 0, 1);
    sem_wait(&sem_lock);    // a critical section...
    sem_post(&sem_lock);    // ...released by its taker: a lock
    pthread_t i, w;
    pthread_create(&i, NULL, idler, NULL);
    sem_wait(&sem_lock);
    pthread_create(&w, NULL, worker, NULL);
    pthread_join(w, NULL);  // holding the lock the worker waits for
    sem_post(&sem_lock);
    printf("hang_sem_lock_join: done\n");
    return 0;
}
