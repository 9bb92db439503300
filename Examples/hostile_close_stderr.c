// dept-example: hostile_close_stderr
// expect: potential
// objects: A B
// summary: the program prints its first line, closes stdin, stderr and every descriptor above 2 (as daemons do), then runs a sequenced AB-BA inversion (no hang); with the argument `reuse` it then opens four socket pairs that take descriptors 0 and 2 to 8, writes its own data one way through each pair around the inversion and checks what arrives at both ends; `early` does the same after misusing an error-checking mutex and taking A once while stderr is still open (so dept has already printed a `DEPT: warning:`, opened its log_path file and captured stacks before the close); dept must not crash, hang or write into the program's descriptors; the exit status is 0 or dept's 66.
//
// Hostile because: the report has nowhere sensible to go on fd 2, and fd 2
// (or the descriptor of a log_path file dept opened earlier) may by then be
// one of the program's own files: a report written there corrupts the
// program's data; so may any descriptor dept or a library it uses opened
// before the close (libunwind keeps a pipe to validate memory). With
// DEPT_OPTIONS=log_path=..., the report belongs in the log file.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&A);
    pthread_mutex_lock(&B);
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&B);
    pthread_mutex_lock(&A);
    pthread_mutex_unlock(&A);
    pthread_mutex_unlock(&B);
    return NULL;
}

static void inversion(void)
{
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
}

#define PAIRS 4

static void line_for(char *buf, size_t size, int fd, const char *what)
{
    snprintf(buf, size, "descriptor %d: %s line of the program's data\n", fd, what);
}

static void say(int fd, const char *what)
{
    char buf[128];
    line_for(buf, sizeof buf, fd, what);
    (void)!write(fd, buf, strlen(buf));
}

// Reads everything written to `from` (its writing side is shut down) on its
// peer `to`, and compares it with what the program itself wrote there (its
// two lines, or nothing).
static void check(int from, int to, int wrote)
{
    char got[65536], want[256], last[128];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof got - 1 && (r = read(to, got + n, sizeof got - 1 - n)) != 0) {
        if (r < 0) { if (errno == EINTR) continue; break; }
        n += (size_t)r;
    }
    got[n] = 0;
    want[0] = 0;
    if (wrote) {
        line_for(want, sizeof want, from, "first");
        line_for(last, sizeof last, from, "last");
        strcat(want, last);
    }
    if (strcmp(got, want) == 0)
        printf("written to %d, read from %d: intact\n", from, to);
    else
        printf("written to %d, read from %d: %zu bytes, not what the program wrote\n", from, to, n);
}

int main(int argc, char **argv)
{
    alarm(10);
    int early = argc > 1 && strcmp(argv[1], "early") == 0;
    int reuse = early || (argc > 1 && strcmp(argv[1], "reuse") == 0);
    if (early) {
        // Program misbehaviour while stderr is open: unlock an
        // error-checking mutex nobody holds (EPERM).
        pthread_mutex_t E;
        pthread_mutexattr_t a;
        pthread_mutexattr_init(&a);
        pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
        pthread_mutex_init(&E, &a);
        int rc = pthread_mutex_unlock(&E);
        printf("unlock of an unlocked error-checking mutex: %s\n", rc == EPERM ? "EPERM" : "other");
        pthread_mutex_destroy(&E);
        pthread_mutex_lock(&A);           // dept has seen a lock (and captured a stack) before the close
        pthread_mutex_unlock(&A);
    }
    printf("hostile_close_stderr: closing descriptors\n");
    fflush(stdout);
    close(0);
    close(2);
    for (int fd = 3; fd < 1024; fd++) close(fd);

    if (!reuse) {
        inversion();
        printf("hostile_close_stderr: done\n");
        return 0;
    }

    // The program's own data channels land on the freed descriptors:
    // PAIRS socket pairs take 0, 2, 3, ..., 2 * PAIRS (either end of a pair
    // can be written, and the peer reads what was written).
    int sv[PAIRS][2];
    for (int i = 0; i < PAIRS; i++)
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]) != 0) { printf("socketpair failed\n"); return 3; }
    printf("socket pairs took descriptors");
    for (int i = 0; i < PAIRS; i++) printf(" %d %d", sv[i][0], sv[i][1]);
    printf("\n");
    // Data flows one way in each pair: written to sv[i][0], read from sv[i][1].
    for (int i = 0; i < PAIRS; i++) say(sv[i][0], "first");
    inversion();
    for (int i = 0; i < PAIRS; i++) {
        say(sv[i][0], "last");
        shutdown(sv[i][0], SHUT_WR);
        shutdown(sv[i][1], SHUT_WR);     // the program never writes to sv[i][1]
    }
    for (int i = 0; i < PAIRS; i++) {
        check(sv[i][0], sv[i][1], 1);
        check(sv[i][1], sv[i][0], 0);
    }
    printf("hostile_close_stderr: done\n");
    return 0;
}
