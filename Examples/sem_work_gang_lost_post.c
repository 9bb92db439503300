// dept-example: sem_work_gang_lost_post
// expect: deadlock
// objects: start_sem end_sem
// summary: Nearest real deadlock of sem_work_gang: on its 50th task the dispatcher posts start_sem one time too few, then waits end_sem once per worker; the worker that got no start waits for it forever, and so does the dispatcher for that worker's end: every thread is blocked, and the dispatcher's wait for end and the starved worker's wait for start close a loop: a live deadlock report.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#define WORKERS 3
#define TASKS 200

static sem_t start_sem, end_sem;
static atomic_long done;

static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    for (;;) {
        sem_wait(&start_sem);
        atomic_fetch_add(&done, 1);
        sem_post(&end_sem);
    }
}

int main(void)
{
    alarm(20);                              // safety only: dept ends it first
    sem_init(&start_sem, 0, 0);
    sem_init(&end_sem, 0, 0);
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int task = 0; task < TASKS; task++) {
        int posts = task == 49 ? WORKERS - 1 : WORKERS;   // the bug
        for (int i = 0; i < posts; i++) sem_post(&start_sem);
        for (int i = 0; i < WORKERS; i++) sem_wait(&end_sem);
    }
    printf("sem_work_gang_lost_post: unreachable (%ld)\n", (long)atomic_load(&done));
    return 0;
}
