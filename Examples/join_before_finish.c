// dept-example: join_before_finish
// expect: hang
// objects: sched_cond sink_cond
// summary: nearest real deadlock of join_then_signal_pool: the sink frees output slots only after the primary's finish signal, and the primary joins the worker before it signals finish; the worker needs one more slot than it has, so all three wait forever (alarm(10) ends it).
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define SLOTS 4

static pthread_mutex_t sched_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sched_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t sink_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sink_cond = PTHREAD_COND_INITIALIZER;
static int blocks = SLOTS + 1, taken, free_slots = SLOTS, finish;

static void *thread_entry(void *entry) { ((void (*)(void))entry)(); return NULL; }

__attribute__((noinline)) static pthread_t xcreate(void (*entry)(void)) {
    pthread_t t;
    if (pthread_create(&t, NULL, thread_entry, (void *)entry) != 0) abort();
    return t;
}

/* Takes every block; each needs an output slot, which only the sink frees. */
static void worker(void) {
    pthread_mutex_lock(&sched_mutex);
    while (taken < blocks) {
        while (free_slots == 0) pthread_cond_wait(&sched_cond, &sched_mutex);
        free_slots--;
        taken++;
    }
    pthread_mutex_unlock(&sched_mutex);
}

/* Writes (frees the slots) only once finish is signalled. */
static void sink(void) {
    pthread_mutex_lock(&sink_mutex);
    while (!finish) pthread_cond_wait(&sink_cond, &sink_mutex);
    pthread_mutex_unlock(&sink_mutex);
    pthread_mutex_lock(&sched_mutex);
    free_slots = SLOTS;
    pthread_cond_broadcast(&sched_cond);
    pthread_mutex_unlock(&sched_mutex);
}

int main(void) {
    alarm(10);
    pthread_t s = xcreate(sink), w = xcreate(worker);
    pthread_join(w, NULL);              /* the bug: join before finish */
    pthread_mutex_lock(&sink_mutex);
    finish = 1;
    pthread_cond_signal(&sink_cond);
    pthread_mutex_unlock(&sink_mutex);
    pthread_join(s, NULL);
    printf("done\n");
    return 0;
}
