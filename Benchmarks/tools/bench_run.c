// bench_run: runs one command and measures it for Scripts/bench.
//
// usage: bench_run RESULT_FILE TIMEOUT_SECONDS PRELOAD -- COMMAND [ARGS...]
//
// Forks (from this small process, so the child's peak RSS is the command's,
// not the Python driver's: the kernel counts a process's memory before exec
// in ru_maxrss), sets LD_PRELOAD=PRELOAD in the child only (PRELOAD "-" for
// none, so this runner itself is never preloaded), execs COMMAND in a new
// process group with inherited stdin/stdout/stderr, and waits for it. After
// TIMEOUT_SECONDS (0 = none) the process group is killed with SIGKILL.
// Writes one line to RESULT_FILE:
//     <wall s> <peak RSS KiB> <exit status or -signal> <timed out 0|1> <CPU s>
// where the wall time runs from just before fork to the end of wait4, and the
// CPU time is the command's user + system time (all its threads).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out;
static volatile pid_t child;

static void on_alarm(int sig) {
    (void)sig;
    timed_out = 1;
    if (child > 0) kill(-child, SIGKILL);
}

int main(int argc, char **argv) {
    if (argc < 6 || strcmp(argv[4], "--") != 0) {
        fprintf(stderr, "usage: bench_run RESULT_FILE TIMEOUT_SECONDS PRELOAD|- -- COMMAND [ARGS...]\n");
        return 2;
    }
    const char *result = argv[1], *preload = argv[3];
    double timeout = atof(argv[2]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        setpgid(0, 0);
        if (strcmp(preload, "-") != 0) setenv("LD_PRELOAD", preload, 1);
        execvp(argv[5], argv + 5);
        fprintf(stderr, "bench_run: exec %s: %s\n", argv[5], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    child = pid;
    if (timeout > 0) {
        struct itimerval it;
        memset(&it, 0, sizeof it);
        it.it_value.tv_sec = (time_t)timeout;
        it.it_value.tv_usec = (suseconds_t)((timeout - (double)(time_t)timeout) * 1e6);
        if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0) it.it_value.tv_usec = 1;
        setitimer(ITIMER_REAL, &it, NULL);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) { perror("wait4"); return 2; }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (timeout > 0) {
        struct itimerval off;
        memset(&off, 0, sizeof off);
        setitimer(ITIMER_REAL, &off, NULL);
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : 255;
    FILE *f = fopen(result, "w");
    if (!f) { perror(result); return 2; }
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    fprintf(f, "%.6f %ld %d %d %.6f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            ru.ru_maxrss, code, timed_out ? 1 : 0, cpu);
    fclose(f);
    return 0;
}
