// dept-example: join_start_thread
// expect: silent
// objects: queue_cond create_thread
// summary: apache2 mpm_event's child: main creates a start thread, which creates the workers (one helper creates every thread); workers wait on the worker queue's condvar; at shutdown main joins the start thread (long gone), then broadcasts the queue and joins the workers; no interleaving blocks.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define WORKERS 4

static pthread_mutex_t queue_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static int queued, terminated, served;
static pthread_t workers[WORKERS];

__attribute__((noinline)) static pthread_t create_thread(void *(*fn)(void *), void *arg) {
    pthread_t t;
    if (pthread_create(&t, NULL, fn, arg) != 0) abort();
    return t;
}

static void *worker(void *arg) {
    (void)arg;
    pthread_mutex_lock(&queue_mutex);
    for (;;) {
        while (queued == 0 && !terminated) pthread_cond_wait(&queue_cond, &queue_mutex);
        if (queued == 0) break;
        queued--;
        served++;
    }
    pthread_mutex_unlock(&queue_mutex);
    return NULL;
}

static void *start_threads(void *arg) {
    (void)arg;
    for (int i = 0; i < WORKERS; i++) workers[i] = create_thread(worker, NULL);
    return NULL;
}

int main(void) {
    pthread_t start = create_thread(start_threads, NULL);
    for (int i = 0; i < 200; i++) {           /* the listener's pushes */
        pthread_mutex_lock(&queue_mutex);
        queued++;
        pthread_cond_signal(&queue_cond);
        pthread_mutex_unlock(&queue_mutex);
        if (i % 50 == 0) usleep(2000);
    }
    usleep(20000);                            /* the workers are idle in the queue */
    pthread_join(start, NULL);                /* join_start_thread */
    pthread_mutex_lock(&queue_mutex);         /* signal_threads(ST_UNGRACEFUL) */
    terminated = 1;
    pthread_cond_broadcast(&queue_cond);
    pthread_mutex_unlock(&queue_mutex);
    for (int i = 0; i < WORKERS; i++) pthread_join(workers[i], NULL);
    printf("join_start_thread: done served %d\n", served);
    return served == 200 ? 0 : 1;
}
