// dept-example: hang_sem_handoff_never_posted
// expect: hang
// objects: waiter go
// summary: The near miss of sem_handoff_slow_post: the thread that would post the waiter semaphore first waits for main to post `go`, which main does only after its own wait on the waiter returns. Both threads sleep for ever in semaphore waits nobody owns: a hang, reported live.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static sem_t waiter, go;

static void *notifier(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    sem_wait(&go);          // waits for main, which waits for this post
    sem_post(&waiter);
    return NULL;
}

int main(void) {
    alarm(10);
    sem_init(&waiter, 0, 1);
    sem_init(&go, 0, 0);
    sem_wait(&waiter);      // taken, like a lock
    pthread_t t;
    pthread_create(&t, NULL, notifier, NULL);
    sem_wait(&waiter);      // until the notifier posts it: never
    sem_post(&go);
    pthread_join(t, NULL);
    printf("hang_sem_handoff_never_posted: done\n");
    return 0;
}
