// dept-example: thread_pool
// expect: silent
// objects: pool_lock has_work all_done
// summary: Four workers take 1000 jobs from a queue (has_work condvar), main waits for all_done and then broadcasts shutdown and joins; predicate loops everywhere, no circular wait.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define WORKERS 4
#define JOBS 1000

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t has_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;
static int queue[JOBS];
static int q_head, q_tail;      // jobs [q_head, q_tail) are queued
static int pending;             // queued or running
static int shutting_down;
static long results;

static void *worker(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "ctx-worker-%ld", (long)arg);
    pthread_setname_np(pthread_self(), name);
    pthread_mutex_lock(&pool_lock);
    for (;;) {
        while (q_head == q_tail && !shutting_down)
            pthread_cond_wait(&has_work, &pool_lock);
        if (q_head == q_tail)               // shutting down and nothing left
            break;
        int job = queue[q_head++];
        pthread_mutex_unlock(&pool_lock);

        long r = (long)job * job % 97;      // "work" outside the lock

        pthread_mutex_lock(&pool_lock);
        results += r;
        if (--pending == 0)
            pthread_cond_signal(&all_done);
    }
    pthread_mutex_unlock(&pool_lock);
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);

    for (int j = 0; j < JOBS; j++) {
        pthread_mutex_lock(&pool_lock);
        queue[q_tail++] = j;
        pending++;
        pthread_cond_signal(&has_work);
        pthread_mutex_unlock(&pool_lock);
    }

    pthread_mutex_lock(&pool_lock);
    while (pending > 0)
        pthread_cond_wait(&all_done, &pool_lock);
    shutting_down = 1;
    pthread_cond_broadcast(&has_work);
    pthread_mutex_unlock(&pool_lock);

    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    printf("thread_pool: done %ld\n", results);
    return 0;
}
