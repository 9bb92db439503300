// dept-example: hostile_syscall
// expect: silent
// objects: word
// summary: syscall() with every kind of argument list, results and errno printed: getpid and gettid (no argument), an unknown number (-1, ENOSYS), write with three arguments, futex calls that fail at once (FUTEX_WAIT on a changed value: EAGAIN), time out (ETIMEDOUT) or act (FUTEX_WAKE returns 0), an invalid futex operation (ENOSYS), FUTEX_UNLOCK_PI of a lock not held (EPERM), and a six-argument call; every line must be the same with and without the preload.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint32_t word = 1;

#define SHOW(label, expr) do { \
        errno = 4242; \
        long r_ = (expr); \
        int e_ = errno; \
        printf("%-34s -> %ld, errno %s\n", label, r_ < 0 ? r_ : (r_ == 0 ? 0 : 1), e_ == 4242 ? "unchanged" : strerror(e_)); \
    } while (0)

int main(void)
{
    alarm(10);
    pid_t pid = getpid();
    SHOW("getpid", syscall(SYS_getpid) == pid ? 0 : -2);
    SHOW("gettid", syscall(SYS_gettid) == gettid() ? 0 : -2);
    SHOW("unknown number", syscall(100000));
    fflush(stdout);
    SHOW("write (3 arguments)", syscall(SYS_write, 1, "", 0));
    SHOW("FUTEX_WAIT, value changed", syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
    struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
    SHOW("FUTEX_WAIT, timeout", syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &ten_ms, NULL, 0));
    SHOW("FUTEX_WAKE, nobody waits", syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    SHOW("FUTEX_WAIT_BITSET, bitset 0", syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0));
    SHOW("invalid futex operation", syscall(SYS_futex, &word, 99, 0, NULL, NULL, 0));
    SHOW("FUTEX_UNLOCK_PI, not held", syscall(SYS_futex, &word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
    SHOW("FUTEX_TRYLOCK_PI, held by nobody", syscall(SYS_futex, &word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
    SHOW("six arguments (WAKE_OP)", syscall(SYS_futex, &word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &word,
                                           FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)));
    printf("hostile_syscall: done (word %u)\n", word);
    return 0;
}
