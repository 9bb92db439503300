// dept-example: condvar_lock_nesting
// expect: silent
// objects: ulock_init
// summary: Locks built from a mutex and a condvar, as interpreters build their language-level locks (acquire: lock m; while (owner) cond_wait(c, m); owner = me; unlock m; release: lock m; owner = 0; cond_signal(c); unlock m). Three threads nest two such locks, always outer then inner, with contention (barging waiters). Each lock's condvar is signalled by every release, and a waiter's release follows its own wait: the dependencies between the two condvars' waits and signals never close a cycle that can block (valid since, R2.3; OR-waits, R2.6).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

struct ulock { pthread_mutex_t m; pthread_cond_t c; long owner; };

__attribute__((noinline)) static void ulock_init(struct ulock *l)
{
    pthread_mutex_init(&l->m, NULL);
    pthread_cond_init(&l->c, NULL);
    l->owner = 0;
}

static void acquire(struct ulock *l, long me)
{
    pthread_mutex_lock(&l->m);
    while (l->owner) pthread_cond_wait(&l->c, &l->m);
    l->owner = me;
    pthread_mutex_unlock(&l->m);
}

static void release(struct ulock *l)
{
    pthread_mutex_lock(&l->m);
    l->owner = 0;
    pthread_cond_signal(&l->c);
    pthread_mutex_unlock(&l->m);
}

static struct ulock outer, inner;
static long counter;

static void *worker(void *arg)
{
    long me = (long)arg;
    for (int i = 0; i < 3000; i++) {
        acquire(&outer, me);
        acquire(&inner, me);
        counter++;
        release(&inner);
        release(&outer);
    }
    return NULL;
}

int main(void)
{
    ulock_init(&outer);
    ulock_init(&inner);
    pthread_t t[3];
    for (long i = 0; i < 3; i++) pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    printf("condvar_lock_nesting: done %ld\n", counter);
    return 0;
}
