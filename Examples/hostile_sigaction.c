// dept-example: hostile_sigaction
// expect: silent
// objects: M
// summary: the program installs, queries and replaces signal handlers with sigaction and signal (plain and SA_SIGINFO handlers, SIG_IGN, SIG_DFL, SA_RESETHAND, a handler's mask, sigqueue's value) and prints what it reads back and what its handlers saw; everything must read exactly as without the preload, which runs the program's handlers through a wrapper of its own.
//
// Hostile because: dept installs its wrapper in the program's place (to
// know when a hook runs in a handler), so every answer about the old
// action must still be the program's own handler and flags.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t plain_hits, info_hits, info_value, info_signo, blocked_inside;

static void plain_handler(int sig) {
    plain_hits += sig == SIGUSR1;
    pthread_mutex_lock(&M);      // a hook inside a handler
    pthread_mutex_unlock(&M);
}
static void info_handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    info_hits++;
    info_signo = si->si_signo == sig ? sig : -1;
    info_value = si->si_value.sival_int;
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    blocked_inside = sigismember(&now, SIGHUP);   // from sa_mask
}

static const char *name(void *h) {
    if (h == (void *)SIG_DFL) return "SIG_DFL";
    if (h == (void *)SIG_IGN) return "SIG_IGN";
    if (h == (void *)plain_handler) return "plain_handler";
    if (h == (void *)info_handler) return "info_handler";
    return "SOMETHING ELSE";
}
static void show(int sig) {
    struct sigaction cur;
    sigaction(sig, NULL, &cur);
    void *h = (cur.sa_flags & SA_SIGINFO) ? (void *)cur.sa_sigaction : (void *)cur.sa_handler;
    printf("sig %d: %s flags %#x hup-in-mask=%d\n", sig, name(h), (unsigned)cur.sa_flags, sigismember(&cur.sa_mask, SIGHUP));
}

int main(void) {
    alarm(10);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = plain_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, &old);
    printf("before: %s\n", name((void *)old.sa_handler));
    show(SIGUSR1);
    raise(SIGUSR1);
    raise(SIGUSR1);
    printf("plain handler ran %d times\n", (int)plain_hits);

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGHUP);
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, &old);
    printf("replaced: %s\n", name((void *)old.sa_handler));
    show(SIGUSR1);
    union sigval v = { .sival_int = 42 };
    sigqueue(getpid(), SIGUSR1, v);
    printf("info handler ran %d times, signo ok %d, value %d, SIGHUP blocked inside %d\n", (int)info_hits,
           info_signo == SIGUSR1, (int)info_value, (int)blocked_inside);

    __sighandler_t prev = signal(SIGUSR1, SIG_IGN);
    printf("signal() returned %s\n", name((void *)prev));
    show(SIGUSR1);
    raise(SIGUSR1);   // ignored
    prev = signal(SIGUSR1, plain_handler);
    printf("signal() returned %s\n", name((void *)prev));
    show(SIGUSR1);
    raise(SIGUSR1);
    printf("plain handler ran %d times\n", (int)plain_hits);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = plain_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    show(SIGUSR1);
    raise(SIGUSR1);   // runs once, then the default comes back
    show(SIGUSR1);
    printf("plain handler ran %d times\n", (int)plain_hits);
    sigaction(SIGUSR1, NULL, &old);
    printf("after the reset: %s\n", name((void *)old.sa_handler));
    puts("hostile_sigaction: done");
    return 0;
}
