// dept-example: hostile_exit_holding
// expect: warning
// objects: A B many
// summary: one thread returns from its start routine holding A, another calls pthread_exit holding B, a third calls pthread_exit holding 40 mutexes (more than fit inline in a per-thread record), then fresh threads reuse the records; main finds the locks still taken (trylock EBUSY) and carries on; a `DEPT: warning:` about a thread exiting while holding a lock, no report.
//
// Hostile because: the exit path runs in a TLS destructor after the thread
// body is gone, per-thread records are recycled for the next threads, and
// the dead owner keeps the mutex locked forever (nobody can take A or B
// again: the program only trylocks them).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define MANY 40

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t many[MANY];
static pthread_mutex_t Q = PTHREAD_MUTEX_INITIALIZER;   // used normally by later threads
static int q_count;

static void *returns_holding_a(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-return");
    pthread_mutex_lock(&A);
    return (void *)1;                     // still holding A
}

static void *exits_holding_b(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-exit");
    pthread_mutex_lock(&B);
    pthread_exit((void *)2);              // still holding B
}

static void *exits_holding_many(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-many");
    for (int i = 0; i < MANY; i++) pthread_mutex_lock(&many[i]);
    pthread_exit((void *)3);              // still holding all of them
}

static void *normal(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&Q);
        q_count++;
        pthread_mutex_unlock(&Q);
    }
    return NULL;
}

int main(void)
{
    alarm(10);
    for (int i = 0; i < MANY; i++) pthread_mutex_init(&many[i], NULL);
    pthread_t t;
    void *r1 = 0, *r2 = 0, *r3 = 0;
    pthread_create(&t, NULL, returns_holding_a, NULL);
    pthread_join(t, &r1);
    pthread_create(&t, NULL, exits_holding_b, NULL);
    pthread_join(t, &r2);
    pthread_create(&t, NULL, exits_holding_many, NULL);
    pthread_join(t, &r3);

    // New threads get the recycled per-thread records.
    pthread_t ts[8];
    for (int i = 0; i < 8; i++) pthread_create(&ts[i], NULL, normal, NULL);
    for (int i = 0; i < 8; i++) pthread_join(ts[i], NULL);

    int ta = pthread_mutex_trylock(&A);
    int tb = pthread_mutex_trylock(&B);
    int busy = 0;
    for (int i = 0; i < MANY; i++) busy += pthread_mutex_trylock(&many[i]) == EBUSY;
    printf("hostile_exit_holding: done, ret=%ld,%ld,%ld trylock A=%s B=%s many busy=%d q=%d\n",
           (long)r1, (long)r2, (long)r3, ta == EBUSY ? "EBUSY" : "other", tb == EBUSY ? "EBUSY" : "other",
           busy, q_count);
    return 0;
}
