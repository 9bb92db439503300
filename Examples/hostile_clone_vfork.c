// dept-example: hostile_clone_vfork
// expect: silent
// objects: m
// summary: processes made by clone() and by syscall(SYS_clone) with CLONE_VFORK but without CLONE_VM (the caller sleeps until its child exits, the child has its own copy of memory); each child waits for a byte that another thread of the parent writes only after it has made, locked and destroyed a new mutex; every child exits 0; nothing to report.
//
// Hostile because: the caller of such a clone sleeps until its child
// exits or execs. Had dept held its locks across that clone, as it does
// across a fork, the other thread would wait for them at its mutex, and
// the child for that thread's byte: neither would ever go on. Without the
// preload each child gets its byte at once.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STACK (64 * 1024)

static int pipefd[2];
static atomic_int cloning;

// Waits until main is about to clone, gives it time to be inside the
// clone, then makes a new mutex (dept's object table and core) and
// writes the byte the child waits for.
static void *writer(void *arg) {
    long rounds = (long)arg;
    for (long i = 0; i < rounds; i++) {
        while (atomic_load(&cloning) != i + 1) sched_yield();
        nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
        pthread_mutex_t *m = malloc(sizeof *m);
        pthread_mutex_init(m, NULL);
        pthread_mutex_lock(m);
        pthread_mutex_unlock(m);
        pthread_mutex_destroy(m);
        free(m);
        if (write(pipefd[1], "x", 1) != 1) _exit(3);
    }
    return NULL;
}

static void child_body(void) {
    char c;
    _exit(read(pipefd[0], &c, 1) == 1 && c == 'x' ? 0 : 1);
}

static int child_main(void *arg) {
    (void)arg;
    child_body();
    return 1;
}

int main(void) {
    alarm(10);                      // a hung child is a failure, never a hang of the test
    static char stack[STACK] __attribute__((aligned(16)));
    if (pipe(pipefd) != 0) return 2;
    pthread_t t;
    pthread_create(&t, NULL, writer, (void *)2L);
    int ok = 0;
    for (int way = 0; way < 2; way++) {
        atomic_store(&cloning, way + 1);
        pid_t pid;
        if (way == 0) {
            pid = clone(child_main, stack + STACK, CLONE_VFORK | SIGCHLD, NULL);
        } else {
            pid = (pid_t)syscall(SYS_clone, (long)(CLONE_VFORK | SIGCHLD), 0L, 0L, 0L, 0L);
            if (pid == 0) child_body();
        }
        int st;
        if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) ok++;
    }
    pthread_join(t, NULL);
    printf("hostile_clone_vfork: %d of 2 children got their byte\n", ok);
    if (ok != 2) return 1;
    printf("hostile_clone_vfork: done\n");
    return 0;
}
