// dept-example: cond_pingpong
// expect: silent
// objects: CM cond_c
// summary: Two threads alternate 100k times using one mutex, one condvar and a turn variable; each waits on the predicate "my turn" and signals after flipping it, so progress is guaranteed.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#ifndef ROUNDS
#define ROUNDS 100000      // -DROUNDS=N for a shorter run
#endif

static pthread_mutex_t CM = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond_c = PTHREAD_COND_INITIALIZER;
static int turn;                // 0: player 0 plays, 1: player 1 plays
static long ball;

static void *player(void *arg)
{
    int me = (int)(long)arg;
    pthread_setname_np(pthread_self(), me ? "ctx-pong" : "ctx-ping");
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&CM);
        while (turn != me)
            pthread_cond_wait(&cond_c, &CM);
        ball++;
        turn = !me;
        pthread_cond_signal(&cond_c);
        pthread_mutex_unlock(&CM);
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, player, (void *)0L);
    pthread_create(&b, NULL, player, (void *)1L);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("cond_pingpong: done %ld\n", ball);
    return 0;
}
