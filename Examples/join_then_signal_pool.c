// dept-example: join_then_signal_pool
// expect: silent
// objects: sched_cond sink_cond xcreate
// summary: lbzip2's scheduler: workers wait on sched_cond for tasks, the sink waits on sink_cond for output and signals sched_cond after each write, the primary thread works too, joins the workers when all is written, then signals sink_cond to finish the sink; no interleaving blocks.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define WORKERS 3
#define BLOCKS 400
#define SLOTS 4                         /* output slots: at most 4 blocks not yet written */

static pthread_mutex_t sched_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sched_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t sink_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sink_cond = PTHREAD_COND_INITIALIZER;
static int next_block, written, queued[BLOCKS], q_head, q_tail, finish;
static long checksum;

static void *thread_entry(void *entry) { ((void (*)(void))entry)(); return NULL; }

/* Every thread of the program is created here. */
__attribute__((noinline)) static pthread_t xcreate(void (*entry)(void)) {
    pthread_t t;
    if (pthread_create(&t, NULL, thread_entry, (void *)entry) != 0) abort();
    return t;
}

static int finished(void) { return written == BLOCKS; }

static void sink_write(int block) {
    pthread_mutex_lock(&sink_mutex);
    queued[q_tail++] = block;
    pthread_cond_signal(&sink_cond);
    pthread_mutex_unlock(&sink_mutex);
}

static void worker(void) {
    pthread_mutex_lock(&sched_mutex);
    for (;;) {
        while (next_block < BLOCKS && next_block - written < SLOTS) {
            int b = next_block++;
            pthread_mutex_unlock(&sched_mutex);
            long x = 0;
            for (int i = 0; i < 2000; i++) x += (long)b * i % 7;   /* compress */
            sink_write(b + (int)(x & 0));
            pthread_mutex_lock(&sched_mutex);
        }
        if (finished()) break;
        pthread_cond_wait(&sched_cond, &sched_mutex);
    }
    pthread_cond_broadcast(&sched_cond);
    pthread_mutex_unlock(&sched_mutex);
}

static void sink(void) {
    for (;;) {
        pthread_mutex_lock(&sink_mutex);
        while (q_head == q_tail && !finish) pthread_cond_wait(&sink_cond, &sink_mutex);
        if (q_head == q_tail) break;
        int b = queued[q_head++];
        pthread_mutex_unlock(&sink_mutex);
        checksum += b;                              /* write */
        pthread_mutex_lock(&sched_mutex);           /* on_written: release an output slot */
        written++;
        pthread_cond_signal(&sched_cond);
        pthread_mutex_unlock(&sched_mutex);
    }
    pthread_mutex_unlock(&sink_mutex);
}

static void primary(void) {
    pthread_t sink_thread = xcreate(sink), workers[WORKERS];
    for (int i = 0; i < WORKERS; i++) workers[i] = xcreate(worker);
    worker();
    for (int i = 0; i < WORKERS; i++) pthread_join(workers[i], NULL);
    pthread_mutex_lock(&sink_mutex);                /* uninit_io */
    finish = 1;
    pthread_cond_signal(&sink_cond);
    pthread_mutex_unlock(&sink_mutex);
    pthread_join(sink_thread, NULL);
}

int main(void) {
    pthread_join(xcreate(primary), NULL);
    printf("join_then_signal_pool: done written %d checksum %ld\n", written, checksum);
    return written == BLOCKS ? 0 : 1;
}
