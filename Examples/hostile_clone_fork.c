// dept-example: hostile_clone_fork
// expect: silent
// objects: outer m
// summary: processes made by clone() and by syscall(SYS_clone), syscall(SYS_clone3) without CLONE_VM and syscall(SYS_fork) (forks that run no fork handlers, as sandboxes and Chromium's launcher make them) while another thread keeps creating, locking and destroying mutexes; every child makes, locks and destroys a mutex of its own and exits 0; nothing to report.
//
// Hostile because: glibc's clone() runs no pthread_atfork handlers, so the
// child is a copy of memory taken at any moment of the other thread's
// work: a lock dept held in that thread (its object table's, its core's)
// is copied held, with no thread left in the child to release it. The
// child's first mutex then waits for it forever. Without the preload every
// child exits at once.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
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

#define CHILDREN 300
#define STACK (64 * 1024)

static atomic_int stop;

// Keeps dept busy: every mutex is new (its init, first lock and destroy
// each update dept's tables).
static void *churn(void *arg) {
    (void)arg;
    pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
    while (!atomic_load(&stop)) {
        pthread_mutex_t *m = malloc(sizeof *m);
        pthread_mutex_init(m, NULL);
        pthread_mutex_lock(&outer);
        pthread_mutex_lock(m);
        pthread_mutex_unlock(m);
        pthread_mutex_unlock(&outer);
        pthread_mutex_destroy(m);
        free(m);
    }
    return NULL;
}

static int child_main(void *arg) {
    (void)arg;
    pthread_mutex_t m;
    pthread_mutex_init(&m, NULL);
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    pthread_mutex_destroy(&m);
    _exit(0);
}

// The four ways: glibc's clone() on a stack of its own, and the three
// system calls through syscall(), whose child returns like the parent.
#define WAYS 4
static pid_t make_child(int way) {
    static char stack[STACK] __attribute__((aligned(16)));
    if (way == 0) return clone(child_main, stack + STACK, SIGCHLD, NULL);
    long pid;
    if (way == 1) {
        pid = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    } else if (way == 3) {
#ifdef SYS_fork
        pid = syscall(SYS_fork);
#else
        pid = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
#endif
    } else {
        struct clone_args ca = { .exit_signal = SIGCHLD };
        pid = syscall(SYS_clone3, &ca, sizeof ca);
        if (pid < 0 && errno == ENOSYS) pid = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    }
    if (pid == 0) child_main(NULL);
    return (pid_t)pid;
}

// Waits up to two seconds for the child; a child still running then is
// hung (the program stops at the first).
static int reap(pid_t pid) {
    for (int i = 0; i < 2000; i++) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
        if (r < 0 && errno != EINTR) return 1;
        nanosleep(&(struct timespec){ 0, 1000000 }, 0);
    }
    kill(pid, SIGKILL);
    waitpid(pid, 0, 0);
    return 2;
}

int main(void) {
    alarm(10);
    pthread_t th;
    pthread_create(&th, NULL, churn, NULL);
    int hung = 0, failed = 0;
    for (int i = 0; i < CHILDREN && !hung; i++) {
        pid_t pid = make_child(i % WAYS);
        if (pid < 0) { perror("clone"); return 2; }
        int r = reap(pid);
        hung += r == 2;
        failed += r == 1;
    }
    atomic_store(&stop, 1);
    pthread_join(th, NULL);
    printf("hung %d, failed %d\nhostile_clone_fork: done\n", hung, failed);
    return hung || failed;
}
