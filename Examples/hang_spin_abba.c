// dept-example: hang_spin_abba
// expect: deadlock
// objects: A B
// summary: pthread spinlocks: thread X holds A and spins for B while thread Y holds B and spins for A (a barrier makes both take their first lock first); both spin forever, and a spinning thread counts as blocked; main blocks in pthread_join.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_spinlock_t A, B;
static pthread_barrier_t both_hold_one;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_spin_lock(&A);
    pthread_barrier_wait(&both_hold_one);   // Y now holds B
    pthread_spin_lock(&B);                  // spins forever
    pthread_spin_unlock(&B);
    pthread_spin_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_spin_lock(&B);
    pthread_barrier_wait(&both_hold_one);   // X now holds A
    pthread_spin_lock(&A);                  // spins forever
    pthread_spin_unlock(&A);
    pthread_spin_unlock(&B);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_spin_init(&A, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_init(&B, PTHREAD_PROCESS_PRIVATE);
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_t x, y;
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("hang_spin_abba: unreachable");
    return 0;
}
