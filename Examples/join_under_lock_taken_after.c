// dept-example: join_under_lock_taken_after
// expect: potential
// objects: G
// summary: The near miss of join_under_lock_taken_before: the worker takes G once more after it reported its last item idle, and main takes G, then joins the worker, once a flag dept cannot see says the worker is past G. Nothing main learned through the input thread orders that wait before the join: had main taken G first, the worker would wait for G and main for the worker, so the cycle is reported, at once, while the worker still runs.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/join_under_lock_taken_after Examples/join_under_lock_taken_after.c
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include "lazy_pool.h"

static int stats;
static atomic_int past_g;

static void handle_item(int n) { (void)n; }

static void after_item(int n)
{
    if (n < POOL_ITEMS) return;
    pthread_mutex_lock(&G);              // [W] G, after the last idle report: flushing statistics
    stats = n;
    pthread_mutex_unlock(&G);
    atomic_store(&past_g, 1);            // an order dept cannot see
}

static void until_past_g(void)
{
    while (!atomic_load(&past_g)) sched_yield();
}

int main(void)
{
    pool_run_all(until_past_g);
    printf("join_under_lock_taken_after: done %d\n", stats);
    return 0;
}
