// dept-example: three_cycle
// expect: potential
// objects: A B C
// summary: Three threads run one after another taking A->B, B->C and C->A; no pair is inverted but the three orders form a cycle that can deadlock when they run concurrently.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t C = PTHREAD_MUTEX_INITIALIZER;

struct pair { pthread_mutex_t *first, *second; const char *name; };

static void *worker(void *arg)
{
    struct pair *p = arg;
    pthread_setname_np(pthread_self(), p->name);
    pthread_mutex_lock(p->first);   // [S] first
    pthread_mutex_lock(p->second);  // [W] second while holding first
    pthread_mutex_unlock(p->second);
    pthread_mutex_unlock(p->first);
    return NULL;
}

int main(void)
{
    static struct pair pairs[3] = {
        { &A, &B, "ctx-X" },        // A -> B
        { &B, &C, "ctx-Y" },        // B -> C
        { &C, &A, "ctx-Z" },        // C -> A closes A -> B -> C -> A
    };
    // Each thread is joined before the next one starts: this run never blocks.
    for (int i = 0; i < 3; i++) {
        pthread_t t;
        pthread_create(&t, NULL, worker, &pairs[i]);
        pthread_join(t, NULL);
    }
    puts("three_cycle: done");
    return 0;
}
