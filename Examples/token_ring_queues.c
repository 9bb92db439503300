// dept-example: token_ring_queues
// expect: silent
// objects: start_q split_q merge_q
// summary: pixz's pipeline: a ring of three unbounded queues (pop = predicate loop on a condvar) through which 4 work items circulate: a splitter takes a free item from start_q and pushes it to split_q, workers move it to merge_q, main writes it and pushes it back to start_q; the items are pushed into start_q before the threads start, so some stage always holds or can take one.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define ITEMS 4
#define BLOCKS 3000
#define WORKERS 2

struct queue { pthread_mutex_t mutex; pthread_cond_t pop_cond; long items[BLOCKS + 8]; int head, tail; };
static struct queue start_q, split_q, merge_q;

static void queue_init(struct queue *q) {
    pthread_mutex_init(&q->mutex, NULL);
    pthread_cond_init(&q->pop_cond, NULL);
    q->head = q->tail = 0;
}

static void queue_push(struct queue *q, long x) {
    pthread_mutex_lock(&q->mutex);
    q->items[q->tail++ % (BLOCKS + 8)] = x;
    pthread_cond_signal(&q->pop_cond);
    pthread_mutex_unlock(&q->mutex);
}

static long queue_pop(struct queue *q) {
    pthread_mutex_lock(&q->mutex);
    while (q->head == q->tail) pthread_cond_wait(&q->pop_cond, &q->mutex);
    long x = q->items[q->head++ % (BLOCKS + 8)];
    pthread_mutex_unlock(&q->mutex);
    return x;
}

static long data[ITEMS];                 /* the payload of each circulating item */

static void *splitter(void *arg) {
    (void)arg;
    for (long b = 0; b < BLOCKS; b++) {
        long item = queue_pop(&start_q);    /* a free item */
        data[item] = b;                     /* read a block into it */
        queue_push(&split_q, item);
    }
    for (int i = 0; i < WORKERS; i++) queue_push(&split_q, -1);
    return NULL;
}

static void *worker(void *arg) {
    (void)arg;
    for (;;) {
        long item = queue_pop(&split_q);
        if (item < 0) break;
        long x = data[item];
        for (int k = 0; k < 200; k++) x = x * 31 % 1000003;  /* decode */
        data[item] = data[item] * 1000 + (x & 0);
        queue_push(&merge_q, item);
    }
    return NULL;
}

int main(void) {
    queue_init(&start_q);
    queue_init(&split_q);
    queue_init(&merge_q);
    for (long i = 0; i < ITEMS; i++) queue_push(&start_q, i);   /* the tokens */
    pthread_t w[WORKERS], s;
    for (int i = 0; i < WORKERS; i++) pthread_create(&w[i], NULL, worker, NULL);
    pthread_create(&s, NULL, splitter, NULL);
    long sum = 0;
    for (long b = 0; b < BLOCKS; b++) {
        long item = queue_pop(&merge_q);    /* write it out ... */
        sum += data[item] / 1000;
        queue_push(&start_q, item);         /* ... and recycle it */
    }
    for (int i = 0; i < WORKERS; i++) pthread_join(w[i], NULL);
    pthread_join(s, NULL);
    printf("token_ring_queues: done sum %ld\n", sum);
    return sum == (long)BLOCKS * (BLOCKS - 1) / 2 ? 0 : 1;
}
