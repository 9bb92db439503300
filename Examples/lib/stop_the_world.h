// stop_the_world.h - a garbage collector's stop-the-world, as mono's SGen
// and Boehm GC do it, for the hostile_stop_the_world examples: the
// collector stops a worker with SIGUSR1, whose handler posts an
// acknowledgement and waits in sigsuspend until SIGUSR2 restarts it. What
// the worker does meanwhile, and what the collector does while the world
// is stopped, is each example's own.
#ifndef EXAMPLES_STOP_THE_WORLD_H
#define EXAMPLES_STOP_THE_WORLD_H
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>

static sem_t stw_ack;

static void stw_on_stop(int sig) {
    (void)sig;
    sem_post(&stw_ack);                    // async-signal-safe
    sigset_t wait_for_resume;
    sigfillset(&wait_for_resume);
    sigdelset(&wait_for_resume, SIGUSR2);
    sigsuspend(&wait_for_resume);          // stopped until the world restarts
}
static void stw_on_resume(int sig) { (void)sig; }

// At start-up, before any thread.
static void stw_install(void) {
    sem_init(&stw_ack, 0, 0);
    struct sigaction sa = { 0 };
    sa.sa_handler = stw_on_stop;
    sigfillset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = stw_on_resume;
    sigaction(SIGUSR2, &sa, NULL);
}

// First thing in a worker: SIGUSR2 only ever arrives inside the handler's
// sigsuspend.
static void stw_worker_starts(void) {
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);
}

static void stw_stop(pthread_t w) {
    pthread_kill(w, SIGUSR1);
    while (sem_wait(&stw_ack) != 0) {}
}
static void stw_restart(pthread_t w) { pthread_kill(w, SIGUSR2); }
#endif
