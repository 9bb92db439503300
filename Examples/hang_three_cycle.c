// dept-example: hang_three_cycle
// expect: deadlock
// objects: A B C
// summary: Three threads each hold one of A, B, C (a barrier makes sure) and then wait for the next one, A->B, B->C, C->A: a real three-thread deadlock.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t C = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t all_hold_one;

struct pair { pthread_mutex_t *first, *second; const char *name; };

static void *worker(void *arg)
{
    struct pair *p = arg;
    pthread_setname_np(pthread_self(), p->name);
    pthread_mutex_lock(p->first);
    pthread_barrier_wait(&all_hold_one);    // everyone holds its first lock
    pthread_mutex_lock(p->second);          // blocks forever
    pthread_mutex_unlock(p->second);
    pthread_mutex_unlock(p->first);
    return NULL;
}

int main(void)
{
    alarm(10);
    static struct pair pairs[3] = {
        { &A, &B, "ctx-X" }, { &B, &C, "ctx-Y" }, { &C, &A, "ctx-Z" },
    };
    pthread_t t[3];
    pthread_barrier_init(&all_hold_one, NULL, 3);
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, worker, &pairs[i]);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    puts("hang_three_cycle: unreachable");
    return 0;
}
