// dept-example: sem_token_relock
// expect: potential
// objects: token L
// summary: Near miss of sem_zero_token_lock: a worker takes the token while it holds L, unlocks L, locks it again and gives the token back inside it; later main takes L, then waits for the token. The worker held the token while it took L: had main held L then, neither could go on. The post gives back the worker's own token, but L was released and taken again since the take, so the post still depends on L: reported (an equal chain of held locks is not the same acquisitions).
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t token;
static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&L);
    sem_wait(&token);                   // takes the token inside L
    pthread_mutex_unlock(&L);
    pthread_mutex_lock(&L);             // L again, with the token held
    sem_post(&token);
    pthread_mutex_unlock(&L);
    return NULL;
}

int main(void)
{
    pthread_t w;
    sem_init(&token, 0, 0);
    sem_post(&token);                   // the maker lends its token out
    pthread_create(&w, NULL, worker, NULL);
    pthread_join(w, NULL);
    pthread_mutex_lock(&L);             // L, then the token
    sem_wait(&token);
    sem_post(&token);
    pthread_mutex_unlock(&L);
    sem_destroy(&token);
    puts("sem_token_relock: done");
    return 0;
}
