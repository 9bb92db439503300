// dept-example: join_under_lock_taken_before
// expect: silent
// objects: G
// summary: rsyslog's tcpsrv at shutdown: main joins a pool worker while holding the global lock G, which the worker took once, lazily, while it handled its first item, before it reported itself idle. Main joined the input thread, which waited for that report, before it took G: the worker was past its only wait for G before the join was asked for (R2.4, per lock). The worker still runs when the join starts, so dept holds the cycle back until the worker exits and judges it on what the worker did by then.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/join_under_lock_taken_before Examples/join_under_lock_taken_before.c
#define _GNU_SOURCE
#include <stdio.h>
#include "lazy_pool.h"

static int loaded, handled;

static void handle_item(int n)
{
    if (!loaded) {                       // [W] G, the first item only: loading a module
        pthread_mutex_lock(&G);
        loaded = 1;
        pthread_mutex_unlock(&G);
    }
    handled = n;
}

static void after_item(int n) { (void)n; }

int main(void)
{
    pool_run_all(NULL);
    printf("join_under_lock_taken_before: done %d\n", handled);
    return 0;
}
