// dept-example: mutex_lock_destroyed
// expect: warning
// objects: M
// summary: TSan's mutex_lock_destroyed: mutex M is initialised, locked, unlocked and destroyed, then locked again and tried with trylock; glibc fails both with EINVAL (it marks a destroyed mutex invalid), and a program that ignores the error runs on without the lock. One warning per call names M; after a new pthread_mutex_init, locking M again gets none.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t M;

int main(void)
{
        alarm(10);                      // never hang for more than 10 s
        pthread_mutex_init(&M, NULL);
        pthread_mutex_lock(&M);
        pthread_mutex_unlock(&M);
        pthread_mutex_destroy(&M);
        int r = pthread_mutex_lock(&M);         // destroyed
        printf("mutex_lock_destroyed: lock after destroy: %s\n", r == EINVAL ? "EINVAL" : "other");
        r = pthread_mutex_trylock(&M);          // destroyed
        printf("mutex_lock_destroyed: trylock after destroy: %s\n", r == EINVAL ? "EINVAL" : "other");
        pthread_mutex_init(&M, NULL);
        pthread_mutex_lock(&M);
        pthread_mutex_unlock(&M);
        pthread_mutex_destroy(&M);
        printf("mutex_lock_destroyed: done\n");
        return 0;
}
