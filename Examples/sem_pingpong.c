// dept-example: sem_pingpong
// expect: silent
// objects: ping pong
// summary: Two threads alternate 100k times through semaphores ping (initial 1) and pong (initial 0), each posting what the other waits for; the initial count guarantees progress, so the ping/pong mutual dependency is not a deadlock.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#ifndef ROUNDS
#define ROUNDS 100000      // -DROUNDS=N for a shorter run
#endif

static sem_t ping, pong;
static long ball;

static void *player_a(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-ping");
    for (int i = 0; i < ROUNDS; i++) {
        sem_wait(&ping);    // [W] ping
        ball++;
        sem_post(&pong);    // [E] pong
    }
    return NULL;
}

static void *player_b(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-pong");
    for (int i = 0; i < ROUNDS; i++) {
        sem_wait(&pong);    // [W] pong
        ball++;
        sem_post(&ping);    // [E] ping
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    sem_init(&ping, 0, 1);
    sem_init(&pong, 0, 0);
    pthread_create(&a, NULL, player_a, NULL);
    pthread_create(&b, NULL, player_b, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    sem_destroy(&ping);
    sem_destroy(&pong);
    printf("sem_pingpong: done %ld\n", ball);
    return 0;
}
