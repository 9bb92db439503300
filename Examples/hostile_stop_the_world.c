// dept-example: hostile_stop_the_world
// expect: silent
// objects: pool
// summary: a garbage collector's stop-the-world, as mono's SGen and Boehm GC do it: the main thread stops a worker with SIGUSR1, whose handler posts an acknowledgement and waits in sigsuspend until SIGUSR2 resumes it; between the two the main thread takes locks. The worker meanwhile keeps taking pairs of locks it never took together before, so it is often inside dept's core when the signal arrives. 500 rounds, no cycle; the main thread never takes a lock the worker takes (a collector must not wait for what a thread it stopped may hold).
//
// Hostile because: a handler that stops its thread inside dept's core keeps
// the core lock held until the world restarts, and the thread that stops
// the world needs that lock in its next hook: mono hung so (its finaliser
// thread stopped inside the core, its main thread waiting for the core in
// a sem_wait of the collector). dept must not be entered with the signal
// deliverable while it holds what other hooks wait for.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#define ROUNDS 500   // below POOL / 8
#define POOL 4096

// One class (initialised in a loop), many instances: each new pair of
// instances nested is a situation dept has not seen, and goes to its core.
static pthread_mutex_t pool[POOL];
static sem_t ack;
static atomic_int stop;
static atomic_long pairs;

static void on_stop(int sig) {
    (void)sig;
    sem_post(&ack);                    // async-signal-safe
    sigset_t wait_for_resume;
    sigfillset(&wait_for_resume);
    sigdelset(&wait_for_resume, SIGUSR2);
    sigsuspend(&wait_for_resume);      // stopped until the world restarts
}
static void on_resume(int sig) { (void)sig; }

static void *worker(void *arg) {
    (void)arg;
    // SIGUSR2 only ever arrives inside the handler's sigsuspend.
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);
    for (long i = 0; !atomic_load(&stop); i++) {
        // Its own indices: a collector must not wait for a lock that a
        // thread it stopped may hold.
        long a = i % (POOL / 2), b = POOL / 2 + (i * 7) % (POOL / 4);
        pthread_mutex_lock(&pool[a]);          // ascending addresses: no loop
        pthread_mutex_lock(&pool[b]);
        pthread_mutex_unlock(&pool[b]);
        pthread_mutex_unlock(&pool[a]);
        atomic_fetch_add(&pairs, 1);
    }
    return NULL;
}

int main(void)
{
    alarm(10);   // a hang ends the run instead of the test's patience
    for (int i = 0; i < POOL; i++) pthread_mutex_init(&pool[i], NULL);
    sem_init(&ack, 0, 0);
    struct sigaction sa = { 0 };
    sa.sa_handler = on_stop;
    sigfillset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_resume;
    sigaction(SIGUSR2, &sa, NULL);
    pthread_t w;
    pthread_create(&w, NULL, worker, NULL);
    while (atomic_load(&pairs) < 100) usleep(100);
    for (long r = 0; r < ROUNDS; r++) {
        pthread_kill(w, SIGUSR1);              // stop the world
        while (sem_wait(&ack) != 0) {}
        long a = POOL - POOL / 4 + r, b = POOL - POOL / 8 + r;   // none of the worker's
        pthread_mutex_lock(&pool[a]);          // work while it is stopped:
        pthread_mutex_lock(&pool[b]);          // a new pair, so a core call
        pthread_mutex_unlock(&pool[b]);
        pthread_mutex_unlock(&pool[a]);
        pthread_kill(w, SIGUSR2);              // restart it
        usleep(200);
    }
    atomic_store(&stop, 1);
    pthread_join(w, NULL);
    printf("hostile_stop_the_world: done\n");
    return 0;
}
