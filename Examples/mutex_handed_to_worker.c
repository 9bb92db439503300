// dept-example: mutex_handed_to_worker
// expect: warning
// objects: job_done
// summary: main locks job_done, posts a job, and locks job_done again to wait for the worker, which unlocks it when the job is done (a mutex used as a semaphore, as subread-align does; POSIX leaves an unlock by a non-owner undefined, glibc lets it through): a warning for each such unlock, but no deadlock, potential or live: the second lock waits for the worker, not for main itself. With MUTEX_HANDED_SLOW=1 the jobs after the first take 1.5 s, longer than hang_ms: still no live verdict, since the worker has unlocked job_done for main before.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define JOBS 3

static pthread_mutex_t job_done;
static pthread_mutex_t queue = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queued = PTHREAD_COND_INITIALIZER;
static int posted, taken, results;
static useconds_t later_jobs = 50000;

static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-worker");
    for (int j = 0; j < JOBS; j++) {
        pthread_mutex_lock(&queue);
        while (posted == taken)
            pthread_cond_wait(&queued, &queue);
        taken++;
        pthread_mutex_unlock(&queue);
        usleep(j ? later_jobs : 50000);         // the job: main is blocked by now
        results++;
        pthread_mutex_unlock(&job_done);        // done: lets main through
    }
    return NULL;
}

int main(void)
{
    alarm(20);                                  // safety only
    pthread_setname_np(pthread_self(), "ctx-main");
    if (getenv("MUTEX_HANDED_SLOW")) later_jobs = 1500000;
    pthread_mutex_init(&job_done, NULL);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    for (int j = 0; j < JOBS; j++) {
        pthread_mutex_lock(&job_done);          // the first time: taken; then: the worker's unlock
        pthread_mutex_lock(&queue);
        posted++;
        pthread_cond_signal(&queued);
        pthread_mutex_unlock(&queue);
    }
    pthread_mutex_lock(&job_done);              // waits for the last job
    pthread_mutex_unlock(&job_done);
    pthread_join(t, NULL);
    printf("mutex_handed_to_worker: done (%d jobs)\n", results);
    return 0;
}
