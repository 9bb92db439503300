// dept-example: static_bucket_locks
// expect: silent
// objects: bucket table_lock
// summary: A hash table in static storage: 64 bucket locks initialised in one loop (one class, as lockdep classes them by their init site) and a table lock. Inserts take a bucket of the lower half and then table_lock (to count the entry); a resizer takes table_lock and then a bucket of the upper half. The class order is inconsistent, but no bucket is taken in both orders: two different locks, no cycle (static objects stay distinct objects).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define BUCKETS 64
#define ROUNDS 200

static pthread_mutex_t bucket[BUCKETS];
static pthread_mutex_t table_lock;
static long entries, moved;

static void *inserter(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-insert");
    for (int i = 0; i < ROUNDS; i++) {
        int h = i % (BUCKETS / 2);             // the lower half
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
    for (int i = 0; i < ROUNDS; i++) {
        int h = BUCKETS / 2 + i % (BUCKETS / 2);   // the upper half
        pthread_mutex_lock(&table_lock);
        pthread_mutex_lock(&bucket[h]);
        moved++;
        pthread_mutex_unlock(&bucket[h]);
        pthread_mutex_unlock(&table_lock);
    }
    return NULL;
}

int main(void)
{
    for (int i = 0; i < BUCKETS; i++) pthread_mutex_init(&bucket[i], NULL);
    pthread_mutex_init(&table_lock, NULL);
    pthread_t a, b;
    pthread_create(&a, NULL, inserter, NULL);
    pthread_create(&b, NULL, resizer, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("static_bucket_locks: %ld entries, %ld moved\n", entries, moved);
    return 0;
}
