// dept-example: sem_gate_opened_by_other
// expect: silent
// objects: gate
// summary: A semaphore made with one token used as a gate: main closes it (takes the token), a waiter blocks on it, and a third thread opens it 1.5 s later, longer than hang_ms, while main joins the waiter. The gate was never released by a thread that took it, so it is not known to be a lock, and main's take is no ownership: the live monitor must not call main and the waiter a deadlock while the opener may still post.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static sem_t gate;

static void *waiter(void *arg) {
    (void)arg;
    sem_wait(&gate);        // through the gate once it is open
    sem_post(&gate);
    return NULL;
}

static void *opener(void *arg) {
    (void)arg;
    struct timespec ts = { 1, 500000000 };
    nanosleep(&ts, NULL);
    sem_post(&gate);        // opens the gate main closed
    return NULL;
}

int main(void) {
    sem_init(&gate, 0, 1);
    sem_wait(&gate);        // main closes the gate
    pthread_t w, o;
    pthread_create(&w, NULL, waiter, NULL);
    pthread_create(&o, NULL, opener, NULL);
    pthread_join(w, NULL);
    pthread_join(o, NULL);
    sem_destroy(&gate);
    printf("sem_gate_opened_by_other: done\n");
    return 0;
}
