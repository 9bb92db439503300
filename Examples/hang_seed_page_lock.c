// dept-example: hang_seed_page_lock
// expect: deadlock
// objects: A sem_b
// summary: Kernel DEPT doc example 1 hanging for real: X took page lock B (binary semaphore sem_b), Y holds A and waits for B, Z waits for A before it would release B on X's behalf; a warm-up round first lets the detector see Z release B under A.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static sem_t sem_b;                         // "page lock" B, binary, initial 1
static pthread_barrier_t y_holds_a;         // NULL in the warm-up round

static void *ctx_x(void *arg)               // takes B, leaves it to Z
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    sem_wait(&sem_b);
    return NULL;
}

static void *ctx_z(void *arg)               // releases B on X's behalf, under A
{
    pthread_setname_np(pthread_self(), "ctx-Z");
    if (arg)
        pthread_barrier_wait(&y_holds_a);
    pthread_mutex_lock(&A);                 // hang round: blocks, Y holds A
    sem_post(&sem_b);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&A);
    pthread_barrier_wait(&y_holds_a);
    sem_wait(&sem_b);                       // blocks: X holds B, only Z releases it
    sem_post(&sem_b);
    pthread_mutex_unlock(&A);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t x, y, z;
    sem_init(&sem_b, 0, 1);
    pthread_barrier_init(&y_holds_a, NULL, 2);

    // Warm-up round (completes): X takes B; Z locks A, releases B, unlocks A.
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_join(x, NULL);
    pthread_create(&z, NULL, ctx_z, NULL);
    pthread_join(z, NULL);

    // Hang round: X takes B again; then Y locks A and waits for B while Z
    // waits for A to release B.
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_join(x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_create(&z, NULL, ctx_z, (void *)1);
    pthread_join(y, NULL);
    pthread_join(z, NULL);
    puts("hang_seed_page_lock: unreachable");
    return 0;
}
