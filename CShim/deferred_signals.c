// deferred_signals.c - the program's signals put off while the thread
// holds one of dept's spin locks (spin_lock.h), delivered at the release.
//
// The wrapper of the program's handlers (signal_hooks.c) finds the lock
// count up, marks the signal here and blocks it in the interrupted
// context's mask (the kernel restores that mask when the wrapper returns);
// the last release sends the signal to the thread again and unblocks it,
// and the handler runs then, through the wrapper, with no lock of dept's
// held. What the handler learns of the sender (siginfo) is then the
// thread's own: it was the one to send it again.
#include "spin_lock.h"
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread struct dept_spin_tls dept_spin_tls __attribute__((tls_model("initial-exec")));

void dept_spin_deliver_deferred(void) {
    int e = errno;
    unsigned long long d = dept_spin_tls.deferred;
    dept_spin_tls.deferred = 0;
    sigset_t unblock;
    sigemptyset(&unblock);
    pid_t pid = getpid();
    pid_t tid = (pid_t)syscall(SYS_gettid);
    for (int sig = 1; sig <= 64; sig++) {
        if (!(d >> (sig - 1) & 1)) continue;
        sigaddset(&unblock, sig);
        // Pending until the unblock below: the raw call, so that it goes
        // through none of dept's own hooks.
        syscall(SYS_tgkill, pid, tid, sig);
    }
    pthread_sigmask(SIG_UNBLOCK, &unblock, 0);
    errno = e;
}
