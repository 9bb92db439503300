// exit_hooks.c - where the process ends: main returning (__libc_start_main),
// exit, _exit and _Exit, and where its image does: the exec family.
//
// dept's own exit handler (runtime_init.c, registered with on_exit by its
// constructor) runs after every exit handler registered later: the
// program's C++ static destructors and the atexit handlers of its
// constructors (registered when the executable initialises, after
// libdept.so), and _dl_fini with every module's destructors. Printing what
// the core still has queued there (verbosity=2's "not reported" lines,
// warnings) means symbolizing, tens of milliseconds, while the program's
// other threads run on against objects its teardown destroyed (a thread
// that locks a static mutex a destructor has destroyed gets EINVAL; boost
// turns that into lock_error and an abort), a window the program never
// has without dept. So the queue is printed when main returns or exit() is called,
// before any exit handler, with the program intact; dept's handler is then
// left with what teardown itself adds, usually nothing.
//
// _exit and _Exit run no handlers: they write the exit line, print what the
// core held back for more evidence (a forked child's _exit, a daemon's, an
// exec's below), and, for a watchdog's exit, the last words. They are also
// called from signal handlers and crash paths, where printing is not safe
// (the core allocates from glibc's heap, whose lock the interrupted code may
// hold); with nothing held back and nothing queued, the flush returns
// before it symbolizes or prints anything.
#include "shim.h"
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef void (*exit_fn)(int) __attribute__((noreturn));
typedef int (*main_fn)(int, char **, char **);
typedef int (*start_main_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);

static exit_fn real_exit, real__exit, real__Exit;
static start_main_fn real_start_main;
static main_fn program_main;
static pid_t self_pid;   // a vfork child shares our memory, not our pid

static bool our_process(void) {
    return atomic_load(&dept_ready) && !dept_tls_guard && (pid_t)syscall(SYS_getpid) == self_pid;
}

// fn: the call that ends the process, for the last words; NULL when main
// returned (threads still parked then are the program's business).
static void ending(int status, const char *fn, bool handlers_follow) {
    if (!our_process()) return;
    if (handlers_follow) dept_flush_before_teardown();
    else dept_exiting_without_handlers(status);
    if (fn) dept_last_words_exit(status, fn);
}

static int main_then_flush(int argc, char **argv, char **envp) {
    int status = program_main(argc, argv, envp);
    ending(status, 0, true);
    return status;
}

// The executable's entry point calls this with its main; glibc then calls
// exit with main's result from inside libc, where the exit interposer does
// not see it.
DEPT_EXPORT int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                                  void (*rtld_fini)(void), void *stack_end) {
    if (UNLIKELY(!real_start_main)) real_start_main = (start_main_fn)dept_real("__libc_start_main", 0);
    program_main = main;
    return real_start_main(main_then_flush, argc, argv, init, fini, rtld_fini, stack_end);
}

DEPT_EXPORT void exit(int status) {
    ending(status, "exit", true);
    if (UNLIKELY(!real_exit)) real_exit = (exit_fn)dept_real("exit", 0);
    real_exit(status);
}

DEPT_EXPORT void _exit(int status) {
    ending(status, "_exit", false);
    if (UNLIKELY(!real__exit)) { syscall(SYS_exit_group, status); __builtin_unreachable(); }
    real__exit(status);
}

DEPT_EXPORT void _Exit(int status) {
    ending(status, "_Exit", false);
    if (UNLIKELY(!real__Exit)) { syscall(SYS_exit_group, status); __builtin_unreachable(); }
    real__Exit(status);
}

// The exec family. glibc's execv, execvp and execl* reach execve through
// an internal alias that no interposer sees, so each is interposed. A
// vfork child (posix_spawn's too) shares our memory and has another pid:
// our_process() keeps it out, as it does at _exit, and the real functions
// are resolved at start-up, since such a child must not enter dlsym.
// Nothing here changes errno or the real call's result.
DEFINE_REAL(int, execve, const char *, char *const[], char *const[])
DEFINE_REAL(int, execv, const char *, char *const[])
DEFINE_REAL(int, execvp, const char *, char *const[])
DEFINE_REAL(int, execvpe, const char *, char *const[], char *const[])
DEFINE_REAL(int, fexecve, int, char *const[], char *const[])
DEFINE_REAL(int, execveat, int, const char *, char *const[], char *const[], int)

static void replacing(void) {
    if (our_process()) dept_flush_before_teardown();
}

DEPT_EXPORT int execve(const char *path, char *const argv[], char *const envp[]) {
    replacing();
    resolve_execve();
    return REAL(execve)(path, argv, envp);
}

DEPT_EXPORT int execv(const char *path, char *const argv[]) {
    replacing();
    resolve_execv();
    return REAL(execv)(path, argv);
}

DEPT_EXPORT int execvp(const char *file, char *const argv[]) {
    replacing();
    resolve_execvp();
    return REAL(execvp)(file, argv);
}

DEPT_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[]) {
    replacing();
    resolve_execvpe();
    return REAL(execvpe)(file, argv, envp);
}

DEPT_EXPORT int fexecve(int fd, char *const argv[], char *const envp[]) {
    replacing();
    resolve_fexecve();
    return REAL(fexecve)(fd, argv, envp);
}

DEPT_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags) {
    replacing();
    resolve_execveat();
    return REAL(execveat)(dirfd, path, argv, envp, flags);
}

// The list forms build their argument vector on the stack, as glibc's
// own do (no allocation: a forked child of a threaded program may exec
// while another thread of the parent held the allocator's lock), and go
// on as the vector forms.
#define ARGV_FROM_LIST(first, ap, argv)                                    \
    size_t n_ = 1;                                                         \
    va_start(ap, first);                                                   \
    while (va_arg(ap, char *)) n_++;                                       \
    va_end(ap);                                                            \
    char *argv[n_ + 1];                                                    \
    argv[0] = (char *)(first);                                             \
    va_start(ap, first);                                                   \
    for (size_t i_ = 1; i_ <= n_; i_++) argv[i_] = va_arg(ap, char *);

DEPT_EXPORT int execl(const char *path, const char *arg, ...) {
    va_list ap;
    ARGV_FROM_LIST(arg, ap, argv)
    va_end(ap);
    return execv(path, argv);
}

DEPT_EXPORT int execlp(const char *file, const char *arg, ...) {
    va_list ap;
    ARGV_FROM_LIST(arg, ap, argv)
    va_end(ap);
    return execvp(file, argv);
}

DEPT_EXPORT int execle(const char *path, const char *arg, ...) {
    va_list ap;
    ARGV_FROM_LIST(arg, ap, argv)
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return execve(path, argv, envp);
}

static void after_fork_child(void) { self_pid = getpid(); }

// Resolved at start-up: a vfork child must not enter dlsym.
__attribute__((constructor))
static void exit_hooks_init(void) {
    self_pid = getpid();
    real_exit = (exit_fn)dept_real("exit", 0);
    real__exit = (exit_fn)dept_real("_exit", 0);
    real__Exit = (exit_fn)dept_real("_Exit", 0);
    // vfork + exec is the classic way to start a program.
    resolve_execve();
    resolve_execv();
    resolve_execvp();
    resolve_execvpe();
    resolve_fexecve();
    resolve_execveat();
    dept_on_fork_child(after_fork_child);
}
