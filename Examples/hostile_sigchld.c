// dept-example: hostile_sigchld
// expect: potential
// objects: lock_a lock_b
// summary: a program that counts every SIGCHLD it gets and reaps children with waitpid(-1) from its handler, as servers do; two threads take lock_a and lock_b in opposite orders one after the other (a potential deadlock, whose report dept symbolizes with a helper process), then the program forks one child of its own. It prints "1 SIGCHLD, 1 child reaped, status 3" with and without dept.
//
// Hostile because: dept's helper processes (llvm-symbolizer) must be
// invisible to the program. A child that ends with SIGCHLD wakes its
// handler or sigwait thread at a moment the program did not choose (povray's
// signal thread took a mutex its exit handlers had destroyed and aborted),
// and a waitpid(-1) would reap it: a count, a status, a child the program
// never started.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static atomic_int signals, reaped, last_status;

static void on_sigchld(int sig)
{
    (void)sig;
    int e = errno, status;
    atomic_fetch_add(&signals, 1);
    while (waitpid(-1, &status, WNOHANG) > 0) {
        atomic_fetch_add(&reaped, 1);
        atomic_store(&last_status, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    errno = e;
}

static void *a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a);
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    alarm(10);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);

    pthread_t t;
    pthread_create(&t, NULL, a_then_b, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, b_then_a, NULL);
    pthread_join(t, NULL);

    pid_t child = fork();
    if (child == 0) _exit(3);
    // Until the handler has reaped it (signals are not queued: one SIGCHLD
    // may stand for several children, so the count of reaped ones decides).
    for (int i = 0; i < 5000 && atomic_load(&reaped) < 1; i++) usleep(1000);
    usleep(20000);   // a late SIGCHLD would still be counted
    printf("hostile_sigchld: %d SIGCHLD, %d child reaped, status %d\n", atomic_load(&signals), atomic_load(&reaped),
           atomic_load(&last_status));
    printf("hostile_sigchld: done\n");
    return 0;
}
