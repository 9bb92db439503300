// dept-example: rwlock_unlock_unheld
// expect: warning
// objects: L W X S
// summary: Helgrind's tc12_rwl_trivial: rwlock L is write-locked and unlocked, read-locked twice and unlocked twice, then unlocked once more while nobody holds it (glibc returns 0 and L's reader count goes below zero). One warning names L as not locked; the correct unlocks before it, and those of rwlock W, get none. Then thread T write-locks X and main unlocks it (glibc releases a read lock nobody holds): one warning names X and main as not its owner (and T's exit is reported holding X, which it never unlocks). Last, S, a zero-initialised mutex on main's stack, is locked, unlocked and unlocked again: the warning names S by its first use (first-use@rwlock_unlock_unheld.c and the line of its first lock), not by the bad unlock.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static pthread_rwlock_t L = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t W = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t X = PTHREAD_RWLOCK_INITIALIZER;
static sem_t locked, done;

static void *writer(void *arg)
{
        (void)arg;
        pthread_rwlock_wrlock(&X);
        sem_post(&locked);
        while (sem_wait(&done) != 0)
                ;
        return NULL;                    // X stays locked: nobody uses it again
}

int main(void)
{
        alarm(10);                      // never hang for more than 10 s
        pthread_rwlock_wrlock(&W);
        pthread_rwlock_unlock(&W);
        pthread_rwlock_rdlock(&W);
        pthread_rwlock_unlock(&W);

        pthread_rwlock_wrlock(&L);
        pthread_rwlock_unlock(&L);
        pthread_rwlock_rdlock(&L);
        pthread_rwlock_rdlock(&L);
        pthread_rwlock_unlock(&L);
        pthread_rwlock_unlock(&L);
        int r = pthread_rwlock_unlock(&L);      // nobody holds L
        printf("rwlock_unlock_unheld: extra unlock returned %d\n", r);

        sem_init(&locked, 0, 0);
        sem_init(&done, 0, 0);
        pthread_t t;
        pthread_create(&t, NULL, writer, NULL);
        while (sem_wait(&locked) != 0)
                ;
        r = pthread_rwlock_unlock(&X);          // T is X's writer
        printf("rwlock_unlock_unheld: unlock of another thread's write lock returned %d\n", r);
        sem_post(&done);
        pthread_join(t, NULL);

        pthread_mutex_t S = PTHREAD_MUTEX_INITIALIZER;
        pthread_mutex_lock(&S);                 // S's first use: its name
        pthread_mutex_unlock(&S);
        pthread_mutex_unlock(&S);               // nobody holds S
        printf("rwlock_unlock_unheld: done\n");
        return 0;
}
