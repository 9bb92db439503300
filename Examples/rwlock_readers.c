// dept-example: rwlock_readers
// expect: silent
// objects: R1 R2
// summary: Two threads read-lock R1 and R2 in opposite orders concurrently with no writer anywhere; readers never wait for readers, so the order inversion is harmless.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define ITERS 20000

static pthread_rwlock_t R1 = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t R2 = PTHREAD_RWLOCK_INITIALIZER;
static int data1 = 1, data2 = 2;

static void *reader(void *arg)
{
    int rev = (int)(long)arg;
    pthread_rwlock_t *first = rev ? &R2 : &R1, *second = rev ? &R1 : &R2;
    long sum = 0;
    pthread_setname_np(pthread_self(), rev ? "ctx-Y" : "ctx-X");
    for (int i = 0; i < ITERS; i++) {
        pthread_rwlock_rdlock(first);       // X: R1 -> R2, Y: R2 -> R1
        pthread_rwlock_rdlock(second);
        sum += data1 + data2;
        pthread_rwlock_unlock(second);
        pthread_rwlock_unlock(first);
    }
    return (void *)sum;
}

int main(void)
{
    pthread_t x, y;
    void *sx, *sy;
    pthread_create(&x, NULL, reader, (void *)0L);
    pthread_create(&y, NULL, reader, (void *)1L);
    pthread_join(x, &sx);
    pthread_join(y, &sy);
    printf("rwlock_readers: done %ld\n", (long)sx + (long)sy);
    return 0;
}
