// dept-example: join_under_lock_many_after
// expect: silent
// objects: L C
// summary: A server's worker pool at shutdown: a worker marks itself done under L and broadcasts C, then closes its 300 sessions, taking each session's mutex once more, and exits; main, which waited on C under L, joins it while still holding L. The worker's last wait for L returned before main asked for the join (R2.4, per lock), however many other locks it takes after: dept keeps a thread's latest wait per lock in buckets of instances, and with 256 of them the 256th session mutex after L shared L's bucket, which made L's latest wait look later than it was, and the join was reported.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define SESSIONS 300

static pthread_mutex_t *L;                  // made first: the sessions' instances follow it
static pthread_mutex_t *sessions;
static pthread_cond_t C = PTHREAD_COND_INITIALIZER;
static int done;

static void *worker(void *arg)
{
        (void)arg;
        pthread_mutex_lock(L);              // [W] L, the worker's last
        done = 1;
        pthread_cond_broadcast(&C);
        pthread_mutex_unlock(L);
        for (int i = 0; i < SESSIONS; i++) { // close every session
                pthread_mutex_lock(&sessions[i]);
                pthread_mutex_unlock(&sessions[i]);
        }
        usleep(100000);                     // still running when main joins
        return NULL;
}

int main(void)
{
        alarm(10);                          // never hang for more than 10 s
        L = malloc(sizeof *L);
        sessions = calloc(SESSIONS, sizeof *sessions);
        pthread_mutex_init(L, NULL);
        for (int i = 0; i < SESSIONS; i++) pthread_mutex_init(&sessions[i], NULL);
        pthread_t t;
        pthread_create(&t, NULL, worker, NULL);
        pthread_mutex_lock(L);
        while (!done) pthread_cond_wait(&C, L);
        usleep(20000);                      // the worker closes its sessions meanwhile
        pthread_join(t, NULL);              // [W] the worker's exit, holding L
        pthread_mutex_unlock(L);
        printf("join_under_lock_many_after: done\n");
        return 0;
}
