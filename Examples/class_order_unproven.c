// dept-example: class_order_unproven
// expect: potential
// objects: collect pad_new
// summary: The near miss of class_order_pipeline that no later order explains: input 1 queues a buffer under the collect lock but never completes a set, so it is never seen held above the output pad. The cycle input 1 -> collect -> output is held back for the order of its pads and printed when the process ends, here by _exit, which runs no exit handlers, or, given the argument `exec`, when it replaces itself with /bin/true.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

int main(int argc, char **argv) {
    // One call site makes every pad, as GObject's instance init does.
    for (int i = 0; i < 3; i++) pads[i] = pad_new();
    out = pads[2];
    arrive(1);  // input 1 first: queued, nothing pushed
    arrive(0);  // input 0 completes the set and pushes: the cycle closes
    printf("class_order_unproven: done (%d pushed)\n", out->queued);
    fflush(stdout);
    if (argc > 1 && argv[1][0] == 'e') {
        execl("/bin/true", "true", (char *)0);
        perror("execl /bin/true");
        return 1;
    }
    _exit(0);
}
