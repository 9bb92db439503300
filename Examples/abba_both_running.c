// dept-example: abba_both_running
// expect: potential
// objects: A B
// summary: abba with both threads running when the cycle closes: thread 1 locks A then B, then waits on a semaphore that thread 2 posts after it has locked B then A. The run completes (the two orders never meet), and the report, unlike abba's, has no note that a thread of the cycle had exited: here the two orders came from threads that ran at the same time.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static sem_t x_done, y_done;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&A);     // [S] A
    pthread_mutex_lock(&B);     // [W] B while holding A: A -> B
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(&A);
    sem_post(&x_done);
    sem_wait(&y_done);          // still running while ctx_y closes the cycle
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    sem_wait(&x_done);          // after ctx_x's order: nothing blocks
    pthread_mutex_lock(&B);     // [S] B
    pthread_mutex_lock(&A);     // [W] A while holding B: B -> A closes the cycle
    pthread_mutex_unlock(&A);
    pthread_mutex_unlock(&B);
    sem_post(&y_done);
    return NULL;
}

int main(void)
{
    pthread_t x, y;
    sem_init(&x_done, 0, 0);
    sem_init(&y_done, 0, 0);
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("abba_both_running: done");
    return 0;
}
