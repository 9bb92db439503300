// dept-example: hostile_threads_then_alone
// expect: silent
// objects: go
// summary: a program starts a worker that blocks in sem_wait until main posts, joins it, and then checks that /proc/self/task comes down to one thread within 3 s (as a program does that used a pool at start-up and then forks or unshares a user namespace); twice, then in a forked child. It fails if a second thread stays.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/hostile_threads_then_alone Examples/hostile_threads_then_alone.c
//
// Hostile because: dept's hang monitor is a thread, started when a thread
// blocks while another one runs. It used to stay for the rest of the
// process, so a program down to one thread again was multi-threaded under
// dept alone: unshare(CLONE_NEWUSER) fails with EINVAL then, and a
// zygote-style CHECK fires. The monitor now goes after a second alone, so
// the program waits up to 3 s for its thread count to come down.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "task_count.h"

static sem_t go;

static void *worker(void *arg) {
    (void)arg;
    while (sem_wait(&go) != 0 && errno == EINTR) {}   // blocks: main sleeps first
    return NULL;
}

// A joined thread leaves /proc a moment after its join returns (the kernel
// frees it just after it clears the word the join waits on), dept's monitor
// a second after it is alone. Up to 3 s.
static int threads_after_join(void) {
    int n = threads();
    for (int i = 0; i < 300 && n > 1; i++) {
        struct timespec ms = { 0, 10 * 1000000L };
        nanosleep(&ms, 0);
        n = threads();
    }
    return n;
}

static int round_trip(const char *who) {
    pthread_t w;
    if (pthread_create(&w, 0, worker, 0) != 0) { perror("pthread_create"); exit(2); }
    struct timespec t = { 0, 100 * 1000000L };
    nanosleep(&t, 0);                       // the worker is blocked by now
    sem_post(&go);
    pthread_join(w, 0);
    int n = threads_after_join();
    printf("%s: %d thread(s)\n", who, n);
    return n;
}

int main(void) {
    alarm(10);                              // never hang for more than 10 s
    setvbuf(stdout, 0, _IONBF, 0);
    if (sem_init(&go, 0, 0) != 0) { perror("sem_init"); return 2; }
    if (round_trip("first") != 1 || round_trip("second") != 1) {
        fprintf(stderr, "hostile_threads_then_alone: the process is no longer single-threaded\n");
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) _exit(round_trip("child") == 1 ? 0 : 1);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "hostile_threads_then_alone: the child was not single-threaded\n");
        return 1;
    }
    printf("hostile_threads_then_alone: done\n");
    return 0;
}
