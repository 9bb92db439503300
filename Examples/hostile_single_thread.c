// dept-example: hostile_single_thread
// expect: silent
// objects: tick
// summary: a single-threaded program (as Chromium's zygote is) blocks in sem_wait on a semaphore its timer's signal handler posts (a POSIX timer with SIGEV_SIGNAL, which starts no thread), in a timed condvar wait and in a timed semaphore wait, then checks that /proc/self/task lists one thread, and forks a child that does the same; it fails as Chromium's CHECK does if it finds a second thread.
// build: cc -g -O0 -pthread -IExamples/lib -o $OUT/hostile_single_thread Examples/hostile_single_thread.c
//
// Hostile because: dept's hang monitor is a thread, started at the first
// blocking wait. Started here, it made this process multi-threaded, and
// programs check that they are not before they fork or sandbox themselves:
// Chromium's zygotes died of SIGTRAP (their CHECK) under dept and the
// browser gave up ("GPU process isn't usable").
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "task_count.h"

static sem_t tick;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static timer_t timer;

static void on_timer(int sig) {
    (void)sig;
    sem_post(&tick);
}

static struct timespec soon(long ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    return ts;
}

// Blocks three ways, each of which only a signal or a timeout ends, and
// returns how many threads the process has then.
static int block_alone(const char *who) {
    struct itimerspec it = { { 0, 0 }, { 0, 50000000 } };
    timer_settime(timer, 0, &it, 0);
    while (sem_wait(&tick) != 0)
        if (errno != EINTR) { perror("sem_wait"); exit(2); }
    pthread_mutex_lock(&lock);
    struct timespec ts = soon(20);
    while (pthread_cond_timedwait(&never, &lock, &ts) != ETIMEDOUT) {}
    pthread_mutex_unlock(&lock);
    ts = soon(20);
    while (sem_timedwait(&tick, &ts) == 0 || errno == EINTR) {}
    int n = threads();
    printf("%s: %d thread(s)\n", who, n);
    return n;
}

int main(void) {
    alarm(10);                              // never hang for more than 10 s
    setvbuf(stdout, 0, _IONBF, 0);
    if (sem_init(&tick, 0, 0) != 0) { perror("sem_init"); return 2; }
    struct sigaction sa = { 0 };
    sa.sa_handler = on_timer;
    sigaction(SIGUSR1, &sa, 0);
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0) { perror("timer_create"); return 2; }
    if (block_alone("parent") != 1) {
        fprintf(stderr, "hostile_single_thread: the process is no longer single-threaded\n");
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        // Timers are not inherited by a child.
        if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0) _exit(2);
        _exit(block_alone("child") == 1 ? 0 : 1);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "hostile_single_thread: the child was not single-threaded\n");
        return 1;
    }
    printf("hostile_single_thread: done\n");
    return 0;
}
