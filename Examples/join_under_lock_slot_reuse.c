// dept-example: join_under_lock_slot_reuse
// expect: potential
// objects: G
// summary: A worker reports done, then takes G, unordered with main's later join of it under G (main polls a flag dept cannot see), and ends before anyone joins it. Twenty more threads start, each reports done to main and waits; one of them gets the ended worker's clock slot, and main hears from it. Knowing a later thread of the slot says nothing of the worker's wait for G: had main taken G first, the worker would wait for G and main for it. Reported (once silenced: the slot's new thread vouched for its old one).
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FILLERS 20                       // more than a clock's narrow width: one of them must reuse a slot

static pthread_mutex_t G = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int done, stats;
static atomic_int past_g, worker_tid, go_home;

static void *worker(void *arg)
{
    (void)arg;
    atomic_store(&worker_tid, (int)syscall(SYS_gettid));
    pthread_mutex_lock(&M);
    done++;
    pthread_cond_signal(&done_cv);
    pthread_mutex_unlock(&M);
    pthread_mutex_lock(&G);              // [W] G: after reporting done, unordered with the join
    stats++;
    pthread_mutex_unlock(&G);
    atomic_store(&past_g, 1);            // an order dept cannot see
    return NULL;
}

static void *filler(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&M);
    done++;
    pthread_cond_signal(&done_cv);       // main hears from every filler, the one on the worker's old slot too
    pthread_mutex_unlock(&M);
    while (!atomic_load(&go_home)) sched_yield();   // alive, so that the slots stay taken
    return NULL;
}

int main(void)
{
    pthread_t w, f[FILLERS];
    pthread_create(&w, NULL, worker, NULL);
    while (!atomic_load(&past_g)) sched_yield();
    char task[PATH_MAX];                 // gone from /proc once it has ended: its slot is free
    snprintf(task, sizeof task, "/proc/self/task/%d", atomic_load(&worker_tid));
    while (access(task, F_OK) == 0) sched_yield();
    for (int i = 0; i < FILLERS; i++) pthread_create(&f[i], NULL, filler, NULL);
    pthread_mutex_lock(&M);
    while (done < 1 + FILLERS) pthread_cond_wait(&done_cv, &M);
    pthread_mutex_unlock(&M);
    pthread_mutex_lock(&G);              // [S] G
    pthread_join(w, NULL);               // [W] the worker's exit
    pthread_mutex_unlock(&G);
    atomic_store(&go_home, 1);
    for (int i = 0; i < FILLERS; i++) pthread_join(f[i], NULL);
    printf("join_under_lock_slot_reuse: done %d\n", stats);
    return 0;
}
