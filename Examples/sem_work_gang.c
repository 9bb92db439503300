// dept-example: sem_work_gang
// expect: silent
// objects: start_sem end_sem
// summary: OpenJDK's WorkGang shape: a dispatcher runs 200 tasks on 3 workers; for each it posts start_sem once per worker, then waits end_sem once per worker; each worker waits start_sem, does its share, posts end_sem. The dispatcher's next post follows its waits, and each worker's post follows its wait, but a worker asks for start only after it posted end, later than the dispatcher began waiting: no deadlock (valid since).
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>

#define WORKERS 3
#define TASKS 200

static sem_t start_sem, end_sem;
static atomic_long done;
static atomic_int stop;

static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    for (;;) {
        sem_wait(&start_sem);               // the next task
        if (atomic_load(&stop)) return NULL;
        atomic_fetch_add(&done, 1);         // its share
        sem_post(&end_sem);
    }
}

int main(void)
{
    sem_init(&start_sem, 0, 0);
    sem_init(&end_sem, 0, 0);
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    // One post site for the tasks and for the stop: a second one would make
    // every wait for start_sem an OR-wait.
    for (int task = 0; task <= TASKS; task++) {
        if (task == TASKS) atomic_store(&stop, 1);
        for (int i = 0; i < WORKERS; i++) sem_post(&start_sem);
        if (task == TASKS) break;
        for (int i = 0; i < WORKERS; i++) sem_wait(&end_sem);
    }
    for (int i = 0; i < WORKERS; i++) pthread_join(t[i], NULL);
    printf("sem_work_gang: %ld shares\n", (long)atomic_load(&done));
    return 0;
}
