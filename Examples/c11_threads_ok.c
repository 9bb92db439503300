// dept-example: c11_threads_ok
// expect: silent
// objects: queue_lock not_empty not_full stats_lock
// summary: C11 threads used correctly: two producers and two consumers on a bounded queue (mtx_t queue_lock, cnd_t not_empty / not_full with predicate loops, 20000 items), a recursive mtx_t stats_lock re-entered by its owner, mtx_trylock with back-off and mtx_timedlock in one consistent order, call_once, thrd_exit with a result and thrd_join: no report.
#include <stdio.h>
#include <threads.h>
#include <time.h>

#define ITEMS 10000
#define SIZE 16

static mtx_t queue_lock, stats_lock, order_lock;
static cnd_t not_empty, not_full;
static int queue[SIZE], head, count;
static long consumed, stats_calls;
static once_flag once = ONCE_FLAG_INIT;
static int table;

static void init_table(void) { table = 7; }

static void add_stat(int depth)
{
    mtx_lock(&stats_lock);          // recursive: re-entered by its owner
    stats_calls++;
    if (depth) add_stat(depth - 1);
    mtx_unlock(&stats_lock);
}

static int producer(void *arg)
{
    int base = *(int *)arg;
    call_once(&once, init_table);
    for (int i = 0; i < ITEMS; i++) {
        mtx_lock(&queue_lock);
        while (count == SIZE) cnd_wait(&not_full, &queue_lock);
        queue[(head + count++) % SIZE] = base + i;
        cnd_signal(&not_empty);
        mtx_unlock(&queue_lock);
    }
    thrd_exit(table);
}

static int consumer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITEMS; i++) {
        mtx_lock(&queue_lock);
        while (count == 0) cnd_wait(&not_empty, &queue_lock);
        consumed += queue[head];
        head = (head + 1) % SIZE;
        count--;
        cnd_signal(&not_full);
        mtx_unlock(&queue_lock);
    }
    add_stat(2);
    // order_lock before stats_lock, by trylock with back-off or timedlock.
    for (int k = 0; k < 100; k++) {
        mtx_lock(&order_lock);
        while (mtx_trylock(&stats_lock) != thrd_success) {
            mtx_unlock(&order_lock);
            thrd_yield();
            mtx_lock(&order_lock);
        }
        mtx_unlock(&stats_lock);
        struct timespec ts;
        timespec_get(&ts, TIME_UTC);
        ts.tv_sec += 5;
        if (mtx_timedlock(&stats_lock, &ts) == thrd_success) mtx_unlock(&stats_lock);
        mtx_unlock(&order_lock);
    }
    return 0;
}

int main(void)
{
    mtx_init(&queue_lock, mtx_plain);
    mtx_init(&stats_lock, mtx_timed | mtx_recursive);
    mtx_init(&order_lock, mtx_plain);
    cnd_init(&not_empty);
    cnd_init(&not_full);
    thrd_t p[2], c[2];
    int bases[2] = { 0, 100000 };
    for (int i = 0; i < 2; i++) thrd_create(&p[i], producer, &bases[i]);
    for (int i = 0; i < 2; i++) thrd_create(&c[i], consumer, NULL);
    int res[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) thrd_join(p[i], &res[i]);
    for (int i = 0; i < 2; i++) thrd_join(c[i], NULL);
    cnd_destroy(&not_full);
    cnd_destroy(&not_empty);
    mtx_destroy(&order_lock);
    mtx_destroy(&stats_lock);
    mtx_destroy(&queue_lock);
    printf("c11_threads_ok: consumed %ld, stats %ld, results %d %d\n", consumed, stats_calls, res[0], res[1]);
    return 0;
}
