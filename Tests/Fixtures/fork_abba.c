// fork_abba: the parent forks a child; only the CHILD takes two locks in
// opposite orders (an AB-BA inversion, sequenced so that this run does not
// hang). dept must report the cycle in the child's pid, not the parent's.
// The parent prints "fork_abba: parent <pid> child <pid>" and exits 0.
//
// The lock and function names are distinct from Examples/abba.c on purpose:
// the tests suppress one of the two cycles by function name.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t fork_left = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t fork_right = PTHREAD_MUTEX_INITIALIZER;

static void *child_left_then_right(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&fork_left);
    pthread_mutex_lock(&fork_right);
    pthread_mutex_unlock(&fork_right);
    pthread_mutex_unlock(&fork_left);
    return NULL;
}

static void *child_right_then_left(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&fork_right);
    pthread_mutex_lock(&fork_left);
    pthread_mutex_unlock(&fork_left);
    pthread_mutex_unlock(&fork_right);
    return NULL;
}

int main(void)
{
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) { perror("fork"); return 1; }
    if (child == 0) {
        pthread_t t;
        pthread_create(&t, NULL, child_left_then_right, NULL);
        pthread_join(t, NULL);
        pthread_create(&t, NULL, child_right_then_left, NULL);
        pthread_join(t, NULL);
        exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    printf("fork_abba: parent %d child %d\n", (int)getpid(), (int)child);
    if (WIFEXITED(status))
        printf("fork_abba: child exited with %d\n", WEXITSTATUS(status));
    return 0;
}
