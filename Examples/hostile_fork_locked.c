// dept-example: hostile_fork_locked
// expect: silent
// objects: M N C1 C2
// summary: fork without exec while other threads hold M and N (and one is blocked waiting for M); the child never touches them, locks its own C1 -> C2, creates and joins a thread that does the same, exits 0; then a second fork from a non-main thread while main holds P; nothing to report.
//
// Hostile because: after fork only the forking thread exists in the child,
// so every other thread's held-lock and blocked-wait records are stale, and
// any dept lock or table copied mid-update would hang the child. The child
// must NOT lock M or N: their copies are owned by threads that do not exist
// in the child (that would hang without the preload too); it only checks that
// trylock says EBUSY.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;   // held across the fork
static pthread_mutex_t N = PTHREAD_MUTEX_INITIALIZER;   // held (nested) across the fork
static pthread_mutex_t P = PTHREAD_MUTEX_INITIALIZER;   // main holds it during the second fork
static pthread_mutex_t C1 = PTHREAD_MUTEX_INITIALIZER;  // the children's own locks
static pthread_mutex_t C2 = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t held;       // holder has M and N
static pthread_barrier_t forked;     // the fork is done: holder may let go
static int child_sum;

static void *holder(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-holder");
    pthread_mutex_lock(&M);
    pthread_mutex_lock(&N);
    pthread_barrier_wait(&held);
    pthread_barrier_wait(&forked);
    pthread_mutex_unlock(&N);
    pthread_mutex_unlock(&M);
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-waiter");
    pthread_mutex_lock(&M);              // blocks until the holder lets go (after the fork)
    pthread_mutex_unlock(&M);
    return NULL;
}

static void *child_worker(void *arg)
{
    int add = *(int *)arg;
    pthread_mutex_lock(&C1);
    pthread_mutex_lock(&C2);
    child_sum += add;
    pthread_mutex_unlock(&C2);
    pthread_mutex_unlock(&C1);
    return NULL;
}

// What a child does: never M or N; its own locks, a thread, exit(0).
static void child_body(const char *tag)
{
    alarm(10);                            // alarms are not inherited
    int busy_m = pthread_mutex_trylock(&M);
    int busy_n = pthread_mutex_trylock(&N);
    pthread_mutex_lock(&C1);
    pthread_mutex_lock(&C2);
    child_sum += 1;
    pthread_mutex_unlock(&C2);
    pthread_mutex_unlock(&C1);
    pthread_t t;
    int add = 10;
    int rc = pthread_create(&t, NULL, child_worker, &add);
    if (rc == 0) rc = pthread_join(t, NULL);
    if (busy_n == 0) pthread_mutex_unlock(&N);     // free in the second round's child
    if (busy_m == 0) pthread_mutex_unlock(&M);
    printf("%s child: trylock M=%s N=%s create/join=%d sum=%d\n", tag,
           busy_m == EBUSY ? "EBUSY" : busy_m == 0 ? "0" : "other",
           busy_n == EBUSY ? "EBUSY" : busy_n == 0 ? "0" : "other", rc, child_sum);
    fflush(stdout);
    exit(0);
}

static int wait_child(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Second round: fork from a thread that is not main, while main holds P and
// is blocked in pthread_join on this very thread.
static void *forking_thread(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-forker");
    pthread_mutex_lock(&C1);              // held by the forking thread itself: the child unlocks it
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_unlock(&C1);        // it is ours in the child: legal
        child_body("second");
    }
    pthread_mutex_unlock(&C1);
    int code = wait_child(pid);
    printf("second parent: child exit %d\n", code);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_barrier_init(&held, NULL, 2);
    pthread_barrier_init(&forked, NULL, 2);
    pthread_t h, w;
    pthread_create(&h, NULL, holder, NULL);
    pthread_barrier_wait(&held);          // the holder has M and N now
    pthread_create(&w, NULL, waiter, NULL);
    // Give the waiter a moment to block on M (not needed for correctness).
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    nanosleep(&ts, NULL);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) child_body("first");
    pthread_barrier_wait(&forked);        // let the holder release M and N
    int code = wait_child(pid);
    pthread_join(h, NULL);
    pthread_join(w, NULL);
    printf("first parent: child exit %d\n", code);

    pthread_mutex_lock(&P);
    pthread_t f;
    pthread_create(&f, NULL, forking_thread, NULL);
    pthread_join(f, NULL);
    pthread_mutex_unlock(&P);

    // The parent still works normally.
    pthread_mutex_lock(&M);
    pthread_mutex_lock(&N);
    pthread_mutex_unlock(&N);
    pthread_mutex_unlock(&M);
    puts("hostile_fork_locked: done");
    return 0;
}
