// dept-example: cond_announce_before_lock
// expect: silent
// objects: L cond_c
// summary: The flush idiom of a streaming element (GStreamer's queue): a waiter sleeps on condvar cond_c while holding stream lock L; the flusher first sets `flushing` and signals cond_c without L (every waiter, present or future, gives up), then takes L and signals cond_c again while flushing. The signal under L was announced on the way into L, so no waiter can be stuck behind L for it: no cycle. The nearest real deadlock, a first signal that did not make the waiters' predicate true followed by another wait before L, is cond_announce_stale.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;      // the stream lock
static pthread_mutex_t CM = PTHREAD_MUTEX_INITIALIZER;     // cond_c's mutex (the queue lock)
static pthread_cond_t cond_c = PTHREAD_COND_INITIALIZER;
static int flushing, handled;
static pthread_t helper_tid;

// Round 1 helper: does not take L; answers the waiter's query.
static void *helper(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-helper");
    pthread_mutex_lock(&CM);        // only succeeds once the waiter sleeps in cond_wait
    handled = 1;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    return NULL;
}

// The streaming thread: [W] cond_c while holding L, until its query is
// handled or the element flushes.
static void *streaming(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-stream");
    pthread_mutex_lock(&L);
    pthread_mutex_lock(&CM);
    // Created while we hold CM: the helper cannot answer before we wait.
    pthread_create(&helper_tid, NULL, helper, NULL);
    while (!handled && !flushing)
        pthread_cond_wait(&cond_c, &CM);    // really sleeps once
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&L);
    return NULL;
}

// Round 2: the flusher (nobody waits by now).
static void *flusher(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-flush");
    // Step 1: unblock every waiter; a later one sees `flushing` and leaves.
    pthread_mutex_lock(&CM);
    flushing = 1;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    // Step 2: take the stream lock (the streaming thread lets go of it once
    // unblocked), flush the queue and wake anyone again.
    pthread_mutex_lock(&L);
    pthread_mutex_lock(&CM);
    handled = 0;
    pthread_cond_signal(&cond_c);
    pthread_mutex_unlock(&CM);
    pthread_mutex_unlock(&L);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, streaming, NULL);  // round 1
    pthread_join(t, NULL);
    pthread_join(helper_tid, NULL);
    handled = 0;
    pthread_create(&t, NULL, flusher, NULL);    // round 2
    pthread_join(t, NULL);
    puts("cond_announce_before_lock: done");
    return 0;
}
