// dept-example: class_order_pipeline
// expect: silent
// objects: collect pad_new
// summary: GStreamer's collect pads: every pad's stream lock is made by one function (one class); a streaming thread holds its input pad's stream lock and takes the collect lock, and whichever thread completes a set pushes downstream, taking the output pad's stream lock under the collect lock. Pad -> collect -> pad is a class cycle, but the pads it leaves and enters are always an input and the output, which every pushing thread nests in that order (input held, output taken) and none the other way. The input pad of the first thread is seen nested above the output only after the cycle closed: dept judges it when the process ends.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct pad { pthread_mutex_t stream; int queued; };

static pthread_mutex_t collect = PTHREAD_MUTEX_INITIALIZER;
static struct pad *pads[3], **in = pads, *out;

__attribute__((noinline)) static struct pad *pad_new(void) {
    struct pad *p = calloc(1, sizeof *p);
    pthread_mutex_init(&p->stream, NULL);
    return p;
}

// Downstream: the output pad's chain function runs under its stream lock.
__attribute__((noinline)) static void push_out(void) {
    pthread_mutex_lock(&out->stream);
    out->queued++;
    pthread_mutex_unlock(&out->stream);
}

// A buffer arrives on input i: queued under the collect lock; the thread
// that completes the set (both inputs queued) pushes it downstream.
__attribute__((noinline)) static void chain(int i) {
    pthread_mutex_lock(&in[i]->stream);
    pthread_mutex_lock(&collect);
    in[i]->queued++;
    if (in[0]->queued && in[1]->queued) {
        push_out();
        in[0]->queued--;
        in[1]->queued--;
    }
    pthread_mutex_unlock(&collect);
    pthread_mutex_unlock(&in[i]->stream);
}

static void *streaming(void *arg) {
    chain((int)(long)arg);
    return NULL;
}

// One buffer on an input, from a streaming thread of its own; joined, so
// the order of the three arrivals is fixed.
static void arrive(int i) {
    pthread_t t;
    pthread_create(&t, NULL, streaming, (void *)(long)i);
    pthread_join(t, NULL);
}

int main(void) {
    // One call site makes every pad, as GObject's instance init does.
    for (int i = 0; i < 3; i++) pads[i] = pad_new();
    out = pads[2];
    arrive(1);  // input 1 first: queued, nothing pushed
    arrive(0);  // input 0 completes the set and pushes: the cycle closes
    arrive(0);  // input 0 first this time
    arrive(1);  // input 1 completes the set: input 1 above the output too
    printf("class_order_pipeline: done (%d pushed)\n", out->queued);
    return 0;
}
