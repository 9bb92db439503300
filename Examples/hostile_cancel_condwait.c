// dept-example: hostile_cancel_condwait
// expect: silent
// objects: M C
// summary: a thread blocked in pthread_cond_wait(C, M) (and, in a second round, in pthread_cond_timedwait) is cancelled; glibc re-takes M in the cancellation cleanup, the program's cleanup handler unlocks it; then main locks M, signals C to a normal waiter and everything goes on; three rounds, no report, no warning.
//
// Hostile because: the re-acquisition of M on cancellation happens inside
// glibc, not through pthread_mutex_lock, and the thread then unwinds through
// dept's hook frame and exits; if dept does not account for it, M looks held
// by a dead thread (a false "exit holding a lock" warning) or released twice.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t C = PTHREAD_COND_INITIALIZER;
static int waiting;      // guarded by M: a waiter is inside the wait
static int go;           // guarded by M: never set for the cancelled waiters
static int go_normal;    // guarded by M
static int cleanups;     // guarded by M (the cleanup handler runs with M held)

static void unlock_m(void *arg)
{
    (void)arg;
    cleanups++;                           // M is held again here
    pthread_mutex_unlock(&M);
}

static void *cancelled_waiter(void *arg)
{
    int timed = *(int *)arg;
    pthread_setname_np(pthread_self(), "ctx-cancelled");
    pthread_mutex_lock(&M);
    pthread_cleanup_push(unlock_m, NULL);
    waiting = 1;
    while (!go) {
        if (timed) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 30;
            pthread_cond_timedwait(&C, &M, &ts);
        } else {
            pthread_cond_wait(&C, &M);
        }
    }
    pthread_cleanup_pop(1);
    return NULL;
}

static void *normal_waiter(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-normal");
    pthread_mutex_lock(&M);
    waiting = 1;
    while (!go_normal) pthread_cond_wait(&C, &M);
    pthread_mutex_unlock(&M);
    return NULL;
}

// Returns once the waiter is inside the wait: it set `waiting` with M held
// and only lets go of M inside pthread_cond_wait.
static void wait_until_waiting(void)
{
    for (;;) {
        pthread_mutex_lock(&M);
        if (waiting) return;              // with M held
        pthread_mutex_unlock(&M);
        sched_yield();
    }
}

int main(void)
{
    alarm(10);
    int canceled = 0, normal_ok = 0;
    for (int round = 0; round < 3; round++) {
        int timed = round == 1;
        pthread_t t;
        waiting = 0;
        pthread_create(&t, NULL, cancelled_waiter, &timed);
        wait_until_waiting();
        pthread_cancel(t);                // while we hold M: the waiter needs it back to exit
        pthread_mutex_unlock(&M);
        void *ret = NULL;
        pthread_join(t, &ret);
        if (ret == PTHREAD_CANCELED) canceled++;

        // M and C work normally afterwards.
        pthread_mutex_lock(&M);
        pthread_cond_signal(&C);          // nobody waits: a no-op
        pthread_mutex_unlock(&M);

        waiting = 0;
        go_normal = 0;
        pthread_create(&t, NULL, normal_waiter, NULL);
        wait_until_waiting();
        go_normal = 1;
        pthread_cond_signal(&C);
        pthread_mutex_unlock(&M);
        pthread_join(t, NULL);
        normal_ok++;
    }
    pthread_mutex_lock(&M);
    int c = cleanups;
    pthread_mutex_unlock(&M);
    printf("hostile_cancel_condwait: done, canceled=%d cleanups=%d normal=%d\n", canceled, c, normal_ok);
    return 0;
}
