// dept-example: cond_wait_unheld_mutex
// expect: warning
// objects: M CV E
// summary: Thread T holds M and waits on a semaphore; main waits on CV, with a 50 ms timeout, passing M, which it does not hold: glibc's wait unlocks M behind T's back and takes it for main when it times out (Helgrind's tc23_bogus_condwait). One warning names M and the wait; main then releases M, lets T go and waits on CV correctly (M held), which gets none. T's exit is reported holding M too: nothing but the misuse took M from it. Last, thread U waits on CV with E, an error-checking mutex nobody holds: glibc refuses (EPERM) without taking E, a second warning names E, and U, which never held E, exits holding nothing (no warning for its exit).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t CV = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t E;
static sem_t held, go;

static void *owner(void *arg)
{
        (void)arg;
        pthread_mutex_lock(&M);
        sem_post(&held);
        while (sem_wait(&go) != 0)
                ;
        return NULL;                    // M was taken from it: nothing to unlock
}

static void *refuser(void *arg)
{
        (void)arg;
        int r = pthread_cond_wait(&CV, &E);     // refused: E is not U's
        printf("cond_wait_unheld_mutex: refused wait: %s\n", r == EPERM ? "EPERM" : "other");
        return NULL;                    // holds nothing
}

static int wait_50ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
        return pthread_cond_timedwait(&CV, &M, &ts);
}

int main(void)
{
        alarm(10);                      // never hang for more than 10 s
        sem_init(&held, 0, 0);
        sem_init(&go, 0, 0);
        pthread_t t;
        pthread_create(&t, NULL, owner, NULL);
        while (sem_wait(&held) != 0)
                ;
        int r = wait_50ms();            // M is T's
        printf("cond_wait_unheld_mutex: bogus wait: %s\n", r == ETIMEDOUT ? "timed out" : "other");
        pthread_mutex_unlock(&M);       // main holds M now
        sem_post(&go);
        pthread_join(t, NULL);
        pthread_mutex_lock(&M);
        r = wait_50ms();                // correct: M held
        pthread_mutex_unlock(&M);
        printf("cond_wait_unheld_mutex: correct wait: %s\n", r == ETIMEDOUT ? "timed out" : "other");
        pthread_mutexattr_t a;
        pthread_mutexattr_init(&a);
        pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
        pthread_mutex_init(&E, &a);
        pthread_create(&t, NULL, refuser, NULL);
        pthread_join(t, NULL);
        printf("cond_wait_unheld_mutex: done\n");
        return 0;
}
