// helper_process.c - dept's helper processes (llvm-symbolizer, addr2line),
// run so that the program never learns of them.
//
// A child made by fork or posix_spawn sends SIGCHLD to the program when it
// ends, and the program's own waitpid(-1) can reap it. Programs act on
// both: povray's signal thread sigwaits every signal and locks a static
// boost mutex for each one it gets; the SIGCHLD of a symbolizer dept ran
// just before exit, taken while the exit handlers destroyed that mutex,
// aborted it with lock_error (EINVAL). A server that reaps with waitpid(-1)
// in its SIGCHLD handler would count a child it never started.
//
// A child created with an exit signal of 0 ("clone child" in the kernel's
// words) sends nothing when it ends, and only a wait that asks for __WCLONE
// or __WALL sees it. But exec gives a process SIGCHLD as its exit signal
// again, so the helper cannot be that child: the child is a go-between that
// never execs. It starts the helper as its own child, waits for it, and
// exits; the helper's SIGCHLD goes to the go-between, which keeps every
// signal blocked. Both share our memory (CLONE_VM | CLONE_VFORK, as
// posix_spawn does: no copy of a large process), and the calling thread
// stays suspended until the go-between has exited, so the helper writes its
// answer into a file, not a pipe somebody would have to drain meanwhile.
//
// The program's signal handlers must never run in either: the go-between
// is created with every signal blocked and never unblocks them; the helper
// resets every handler to the default before it unblocks them (all but
// those that end a process group) and execs.
// Neither calls anything but system calls.
#define _GNU_SOURCE
#include "shim.h"
#include "dept_libc.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_SIZE (64 * 1024)   // each of the two
#define KERNEL_SIGSET 8          // bytes: the kernel's sigset_t
#define KERNEL_NSIG 64

// The kernel's struct sigaction (not glibc's): handler, flags, restorer, mask.
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

struct helper_run {
    const char *path;
    char *const *argv, *const *envp;
    int stdin_fd, stdout_fd;
    char *helper_stack;   // top of the helper's stack
    int error;            // why the helper could not exec, or 0
    int status;           // its wait status, or -1
};

static long sys(long n, long a, long b, long c, long d) { return syscall(n, a, b, c, d); }

static int helper_failed(struct helper_run *r, int err) {
    r->error = err;
    syscall(SYS_exit, 127);
    return 127;
}

// Moves fd onto target, open across exec; -1 opens /dev/null there.
static int place(int fd, int target, int flags) {
    if (fd < 0) {
        fd = (int)sys(SYS_openat, AT_FDCWD, (long)"/dev/null", flags | O_CLOEXEC, 0);
        if (fd < 0) return -1;
    }
    if (fd == target) return sys(SYS_fcntl, fd, F_SETFD, 0, 0) < 0 ? -1 : 0;
    return sys(SYS_dup2, fd, target, 0, 0) < 0 ? -1 : 0;
}

static int helper_main(void *p) {
    struct helper_run *r = p;
    for (int sig = 1; sig <= KERNEL_NSIG; sig++) {
        struct kernel_sigaction cur;
        if (sys(SYS_rt_sigaction, sig, 0, (long)&cur, KERNEL_SIGSET) != 0) continue;
        if (cur.handler == SIG_DFL || cur.handler == SIG_IGN) continue;
        struct kernel_sigaction dfl = { SIG_DFL, 0, 0, 0 };
        sys(SYS_rt_sigaction, sig, (long)&dfl, 0, KERNEL_SIGSET);
    }
    // The descriptors may be 0, 1 or 2 themselves (the program closed its
    // standard streams): both are lifted above 2 first.
    int in = r->stdin_fd, out = r->stdout_fd;
    if (in >= 0 && (in = (int)sys(SYS_fcntl, in, F_DUPFD_CLOEXEC, 3, 0)) < 0) return helper_failed(r, errno);
    if ((out = (int)sys(SYS_fcntl, out, F_DUPFD_CLOEXEC, 3, 0)) < 0) return helper_failed(r, errno);
    if (place(in, 0, O_RDONLY) || place(out, 1, O_WRONLY) || place(-1, 2, O_WRONLY)) return helper_failed(r, errno);
    // Signals that end a whole process group stay blocked: a runner's
    // timeout sends SIGTERM to the group once more (timeout(1) signals
    // the program, then the group), and a terminal's ^C or hang-up reaches
    // every member; the helper started by the first, to symbolize the
    // last words it asked for, would die of the second, and the dump
    // would show bare addresses. It reads a file and exits; SIGKILL still
    // ends it with the group.
    unsigned long ends_group = (1ul << (SIGHUP - 1)) | (1ul << (SIGINT - 1)) | (1ul << (SIGQUIT - 1))
                             | (1ul << (SIGTERM - 1));
    sys(SYS_rt_sigprocmask, SIG_SETMASK, (long)&ends_group, 0, KERNEL_SIGSET);
    sys(SYS_execve, (long)r->path, (long)r->argv, (long)r->envp, 0);
    return helper_failed(r, errno);
}

static int go_between_main(void *p) {
    struct helper_run *r = p;
    int pid = clone(helper_main, r->helper_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, r);
    if (pid < 0) {
        r->error = errno;
        return 0;
    }
    int status;
    while (sys(SYS_wait4, pid, (long)&status, __WALL, 0) < 0)
        if (errno != EINTR) return 0;
    r->status = status;
    return 0;
}

DEPT_HIDDEN int dept_libc_run_helper(const char *path, char *const argv[], char *const envp[], int stdin_fd,
                                     int stdout_fd, int *status) {
    int saved = errno;
    char *stacks = mmap(0, 2 * STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stacks == MAP_FAILED) {
        int e = errno;
        errno = saved;
        return e;
    }
    struct helper_run r = { path, argv, envp, stdin_fd, stdout_fd, stacks + STACK_SIZE, 0, -1 };
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    // Exit signal 0: no SIGCHLD, invisible to the program's waitpid(-1).
    int pid = clone(go_between_main, stacks + 2 * STACK_SIZE, CLONE_VM | CLONE_VFORK, &r);
    int err = pid < 0 ? errno : 0;
    if (pid > 0) {
        int ignored;
        while (waitpid(pid, &ignored, __WALL) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &old, 0);
    munmap(stacks, 2 * STACK_SIZE);
    if (!err) err = r.error;
    errno = saved;
    if (!err) *status = r.status;
    return err;
}
