// dept-example: barrier_phases
// expect: silent
// objects: phase_bar L
// summary: Four workers run 200 phases separated by barrier phase_bar; in each phase they update shared totals under L (taken and released inside the phase), one worker per phase holds L across the barrier wait as the phase's logger, and the serial thread resets a counter: locks held across a barrier in different rounds never meet.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define WORKERS 4
#define PHASES 200

static pthread_barrier_t phase_bar;
static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static long total, in_phase;

static void *worker(void *arg)
{
    long id = (long)arg;
    for (int p = 0; p < PHASES; p++) {
        pthread_mutex_lock(&L);
        total += id + p;
        in_phase++;
        pthread_mutex_unlock(&L);
        // The phase's logger holds L at the barrier; nobody else needs L
        // before arriving, the others are done with it.
        int logger = p % WORKERS == id;
        if (logger) {
            while (1) {         // wait until everyone else updated the totals
                pthread_mutex_lock(&L);
                if (in_phase == WORKERS) break;
                pthread_mutex_unlock(&L);
                sched_yield();
            }
        }
        int serial = pthread_barrier_wait(&phase_bar) == PTHREAD_BARRIER_SERIAL_THREAD;
        if (logger) pthread_mutex_unlock(&L);
        pthread_barrier_wait(&phase_bar);
        if (serial) {
            pthread_mutex_lock(&L);
            in_phase = 0;
            pthread_mutex_unlock(&L);
        }
        pthread_barrier_wait(&phase_bar);
    }
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&phase_bar, NULL, WORKERS);
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < WORKERS; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&phase_bar);
    printf("barrier_phases: total %ld\n", total);
    return 0;
}
