// dept-example: sem_handoff_slow_post
// expect: silent
// objects: waiter
// summary: Python's Condition.wait, slowly: the waiting thread takes its waiter lock (a binary semaphore), then takes it again, which blocks until another thread posts it; here the poster first sleeps 1.5 s, longer than hang_ms. Any thread may post a semaphore, so the thread blocked on the one it took is not its own only waker: no deadlock, and the program must run to its end.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static sem_t waiter;   // PyThread_allocate_lock: a binary semaphore

static void *notifier(void *arg) {
    (void)arg;
    struct timespec ts = { 1, 500000000 };
    nanosleep(&ts, NULL);   // the notifying thread is busy elsewhere for a while
    sem_post(&waiter);      // Condition.notify: waiter.release()
    return NULL;
}

int main(void) {
    sem_init(&waiter, 0, 1);
    sem_wait(&waiter);      // waiter.acquire(): taken, like a lock
    pthread_t t;
    pthread_create(&t, NULL, notifier, NULL);
    sem_wait(&waiter);      // waiter.acquire() again: until notify releases it
    pthread_join(t, NULL);
    sem_destroy(&waiter);
    printf("sem_handoff_slow_post: done\n");
    return 0;
}
