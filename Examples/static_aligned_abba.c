// dept-example: static_aligned_abba
// expect: potential
// objects: A B
// summary: Thread 1 locks A then B and is joined before thread 2 locks B then A (abba.c), with A and B static mutexes in a zero-initialised table aligned to 64 KiB, which the linker gives a segment of its own. They are still static objects, each a class named by its symbol, not classes of their first use.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

// Zero-initialised (PTHREAD_MUTEX_INITIALIZER is all zeros): in .bss, which
// this alignment moves into a load segment of its own.
static struct {
    char page[4096];
} table __attribute__((aligned(65536)));
static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&A);
    pthread_mutex_lock(&B);     // A -> B
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&B);
    pthread_mutex_lock(&A);     // B -> A closes the cycle
    pthread_mutex_unlock(&A);
    pthread_mutex_unlock(&B);
    return NULL;
}

int main(void)
{
    pthread_t t;
    table.page[0] = 1;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    puts("static_aligned_abba: done");
    return table.page[0] - 1;
}
