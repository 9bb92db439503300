// dept-example: join_after_sem_handoff
// expect: silent
// objects: M sem_done
// summary: The worker locks M, unlocks it, and posts sem_done while main is blocked in sem_wait(sem_done); main then joins the worker while holding M. The post ended main's wait, so main knows the worker's wait for M returned before it asked for the join (a post to a blocked waiter is a hard happens-before edge): no cycle (R2.4). The worker waits a moment before posting so that main is surely blocked by then (a post before the wait starts is no edge dept can see: then the cycle is reported, as join_under_mutex is).
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static sem_t sem_done;
static int work;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&M);
    work++;
    pthread_mutex_unlock(&M);
    struct timespec pause = { 0, 100 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    sem_post(&sem_done);            // main is blocked in sem_wait by now
    return NULL;
}

int main(void)
{
    pthread_t t;
    sem_init(&sem_done, 0, 0);
    pthread_create(&t, NULL, worker, NULL);
    sem_wait(&sem_done);            // ended by the worker's post
    pthread_mutex_lock(&M);
    pthread_join(t, NULL);          // joined while holding M
    pthread_mutex_unlock(&M);
    sem_destroy(&sem_done);
    printf("join_after_sem_handoff: done %d\n", work);
    return 0;
}
