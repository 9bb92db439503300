// dept-example: sem_misuse
// expect: warning
// objects: S P W
// summary: Helgrind's tc18_semabuse: sem_init of semaphore S with a count above SEM_VALUE_MAX fails with EINVAL, and a program that ignores the error waits and posts on memory that is no semaphore; one warning names S at the failed call, and none at its correct init after. Semaphore P starts at SEM_VALUE_MAX: its post fails with EOVERFLOW and is lost, one warning names P. Semaphore W, posted and waited by two threads, gets none.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static sem_t S, P, W;

static void *poster(void *arg)
{
        (void)arg;
        sem_post(&W);
        return NULL;
}

int main(void)
{
        alarm(10);                      // never hang for more than 10 s
        int r = sem_init(&S, 0, ~0u);   // above SEM_VALUE_MAX
        printf("sem_misuse: init above SEM_VALUE_MAX: %s\n", r == -1 && errno == EINVAL ? "EINVAL" : "other");
        r = sem_init(&S, 0, 0);
        printf("sem_misuse: init of 0: %d\n", r);
        sem_post(&S);
        sem_wait(&S);
        sem_destroy(&S);

        sem_init(&P, 0, SEM_VALUE_MAX);
        r = sem_post(&P);               // the count would pass SEM_VALUE_MAX
        printf("sem_misuse: post at SEM_VALUE_MAX: %s\n", r == -1 && errno == EOVERFLOW ? "EOVERFLOW" : "other");
        sem_wait(&P);
        sem_destroy(&P);

        sem_init(&W, 0, 0);
        pthread_t t;
        pthread_create(&t, NULL, poster, NULL);
        sem_wait(&W);
        pthread_join(t, NULL);
        sem_destroy(&W);
        printf("sem_misuse: done\n");
        return 0;
}
