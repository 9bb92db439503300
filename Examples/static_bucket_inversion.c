// dept-example: static_bucket_inversion
// expect: potential
// objects: bucket table_lock
// summary: The near miss of static_bucket_locks: the resizer also takes bucket 5, which inserts take before table_lock. Bucket 5 and table_lock are taken in both orders by two threads: a potential deadlock on those two objects (the threads run one after the other, so the run completes).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define BUCKETS 64

static pthread_mutex_t bucket[BUCKETS];
static pthread_mutex_t table_lock;
static long entries, moved;

static void *inserter(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-insert");
    for (int h = 0; h < 8; h++) {
        pthread_mutex_lock(&bucket[h]);
        pthread_mutex_lock(&table_lock);
        entries++;
        pthread_mutex_unlock(&table_lock);
        pthread_mutex_unlock(&bucket[h]);
    }
    return NULL;
}

static void *resizer(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-resize");
    pthread_mutex_lock(&table_lock);
    pthread_mutex_lock(&bucket[5]);
    moved++;
    pthread_mutex_unlock(&bucket[5]);
    pthread_mutex_unlock(&table_lock);
    return NULL;
}

int main(void)
{
    for (int i = 0; i < BUCKETS; i++) pthread_mutex_init(&bucket[i], NULL);
    pthread_mutex_init(&table_lock, NULL);
    pthread_t a, b;
    pthread_create(&a, NULL, inserter, NULL);
    pthread_join(a, NULL);
    pthread_create(&b, NULL, resizer, NULL);
    pthread_join(b, NULL);
    printf("static_bucket_inversion: done, %ld entries, %ld moved\n", entries, moved);
    return 0;
}
