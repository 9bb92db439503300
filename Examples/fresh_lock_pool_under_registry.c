// dept-example: fresh_lock_pool_under_registry
// expect: silent
// objects: pool_lock latch_init
// summary: a buffer pool grows by a chunk of page frames under pool_lock: it initialises every frame's latch (one init site, latch_init, so one class; the latches are a page apart) and hands the first frame out latched. A thread holding a frame's latch takes pool_lock to get another frame. The class orders are opposite, yet the first frame's latch cannot be held by anyone when it is latched: nobody else has seen it, though seven more latches were initialised after it. No report.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define FRAMES 8

struct frame {
    pthread_mutex_t latch;
    char page[4096 - sizeof(pthread_mutex_t)];
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct frame *frames;
static int next_free;

__attribute__((noinline)) static void latch_init(pthread_mutex_t *m) {
    if (pthread_mutex_init(m, NULL) != 0) abort();
}

// Returns a free frame, latched; grows the pool (under pool_lock) when empty.
__attribute__((noinline)) static struct frame *frame_get(void) {
    pthread_mutex_lock(&pool_lock);
    if (!frames) {
        frames = aligned_alloc(4096, FRAMES * sizeof *frames);
        if (!frames) abort();
        for (int i = 0; i < FRAMES; i++) latch_init(&frames[i].latch);
        pthread_mutex_lock(&frames[0].latch);   // a latch nobody else has seen
        next_free = 1;
        pthread_mutex_unlock(&pool_lock);
        return &frames[0];
    }
    struct frame *f = &frames[next_free++];
    pthread_mutex_unlock(&pool_lock);
    pthread_mutex_lock(&f->latch);
    return f;
}

static void *worker(void *arg) {
    (void)arg;
    struct frame *a = frame_get();
    struct frame *b = frame_get();   // pool_lock while holding a's latch
    pthread_mutex_unlock(&b->latch);
    pthread_mutex_unlock(&a->latch);
    return NULL;
}

int main(void) {
    pthread_t t;
    struct frame *first = frame_get();   // grows the pool
    pthread_mutex_unlock(&first->latch);
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    puts("fresh_lock_pool_under_registry: done");
    return 0;
}
