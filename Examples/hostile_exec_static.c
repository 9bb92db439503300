// dept-example: hostile_exec_static
// expect: silent
// objects: L
// summary: while a thread holds L and another is blocked on it, the program runs a statically linked helper (no loader, so the inherited LD_PRELOAD cannot apply) through fork+exec, vfork+exec and posix_spawn, runs /bin/true the same ways with the preload inherited, then replaces itself with the static helper by a plain execv; output and exit status must not change.
// build: cc -g -O0 -static -o $OUT/hostile_static_helper Examples/hostile/static_helper.c && cc -g -O0 -pthread -o $OUT/hostile_exec_static Examples/hostile_exec_static.c
//
// The helper is linked with `cc -static` (it needs libc.a: Debian's
// libc6-dev has it). The program finds it next to its own executable.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t held;
static char helper[PATH_MAX];

static void *holder(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-holder");
    pthread_mutex_lock(&L);
    pthread_barrier_wait(&held);
    pause();                              // holds L until the final exec ends the process
    return NULL;
}

static void *blocked(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-blocked");
    pthread_mutex_lock(&L);               // never succeeds: the holder keeps L
    pthread_mutex_unlock(&L);
    return NULL;
}

static int status_of(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int fork_exec(const char *path, char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execv(path, argv);
        _exit(127);
    }
    return pid < 0 ? -1 : status_of(pid);
}

static int vfork_exec(const char *path, char *const argv[])
{
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        execv(path, argv);
        _exit(127);
    }
    return pid < 0 ? -1 : status_of(pid);
}

static int spawn(const char *path, char *const argv[])
{
    fflush(stdout);
    pid_t pid;
    int rc = posix_spawn(&pid, path, NULL, NULL, argv, environ);
    return rc != 0 ? -1 : status_of(pid);
}

int main(void)
{
    alarm(10);
    char self[PATH_MAX - 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) { perror("readlink"); return 2; }
    self[n] = 0;
    char *slash = strrchr(self, '/');
    *slash = 0;
    snprintf(helper, sizeof helper, "%s/hostile_static_helper", self);

    pthread_barrier_init(&held, NULL, 2);
    pthread_t h, b;
    pthread_create(&h, NULL, holder, NULL);
    pthread_barrier_wait(&held);          // L is held from now on
    pthread_create(&b, NULL, blocked, NULL);

    char *h7[] = { "hostile_static_helper", "7", "fork+exec", NULL };
    char *h8[] = { "hostile_static_helper", "8", "vfork+exec", NULL };
    char *h9[] = { "hostile_static_helper", "9", "posix_spawn", NULL };
    char *tr[] = { "true", NULL };
    printf("fork+exec static: %d\n", fork_exec(helper, h7));
    printf("vfork+exec static: %d\n", vfork_exec(helper, h8));
    printf("posix_spawn static: %d\n", spawn(helper, h9));
    printf("fork+exec /bin/true: %d\n", fork_exec("/bin/true", tr));
    printf("vfork+exec /bin/true: %d\n", vfork_exec("/bin/true", tr));
    printf("posix_spawn /bin/true: %d\n", spawn("/bin/true", tr));

    // Replace the whole process (holder and blocked thread included).
    char *h0[] = { "hostile_static_helper", "0", "execv", "hostile_exec_static: done", NULL };
    puts("execv now");
    fflush(stdout);
    execv(helper, h0);
    perror("execv");
    return 3;
}
