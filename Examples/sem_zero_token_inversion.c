// dept-example: sem_zero_token_inversion
// expect: potential
// objects: token sout
// summary: The near miss of sem_zero_token_lock: a semaphore made with no token, passed around like a lock; a worker takes the token, then sout, and posts the token back while it holds sout; later main takes sout, then waits for the token. A token/sout inversion: had main held sout while the worker held the token, neither could go on. The worker's post gives back its own token, but it took sout after the token, so the post still depends on sout: reported.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t token;
static pthread_mutex_t sout = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    sem_wait(&token);                   // takes the token
    pthread_mutex_lock(&sout);          // then sout
    sem_post(&token);                   // gives the token back inside sout
    pthread_mutex_unlock(&sout);
    return NULL;
}

int main(void)
{
    pthread_t w;
    sem_init(&token, 0, 0);
    sem_post(&token);                   // the maker lends its token out
    pthread_create(&w, NULL, worker, NULL);
    pthread_join(w, NULL);
    pthread_mutex_lock(&sout);          // sout, then the token: the other order
    sem_wait(&token);
    sem_post(&token);
    pthread_mutex_unlock(&sout);
    sem_destroy(&token);
    puts("sem_zero_token_inversion: done");
    return 0;
}
