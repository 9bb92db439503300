// dept-example: hostile_lock_before_threads
// expect: silent
// objects: A H
// summary: while it is the only thread, a program initialises a heap mutex, locks it and a static one, prints each mutex's lock word, owner and user count, and unlocks the heap one; it starts a thread while it holds the static mutex, releases it, takes it again, lets the thread sleep on it, prints the word the sleeper left (2) and unlocks, and the thread takes it and prints; a forked child locks and unlocks a mutex of its own; all as without the preload.
//
// Hostile because: while a process has one thread, dept takes and releases
// a default mutex with plain loads and stores, as glibc's own lock and
// unlock do then, and its own locks too. A mutex taken that way is still
// held when the second thread appears: the word must read as glibc's would
// (1 taken, 0 released) and be released in the form for two threads once
// the second one exists, and a lock and unlock answered from dept's caches
// once there are two threads must take their atomic form: an unlock in the
// one-thread form leaves a sleeper asleep.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *H;

static void show(const char *what, const pthread_mutex_t *m) {
    int owner = m->__data.__owner;
    const char *who = owner == 0 ? "none" : owner == (int)syscall(SYS_gettid) ? "me" : "other";
    printf("%s: lock=%d owner=%s nusers=%u\n", what, m->__data.__lock, who, m->__data.__nusers);
    fflush(stdout);
}

static int go[2];

static void *taker(void *arg) {
    (void)arg;
    char c;
    if (read(go[0], &c, 1) != 1) return NULL;
    // Busy: main holds A. Then asleep in the lock until main's unlock.
    printf("thread: trylock A %s\n", pthread_mutex_trylock(&A) == EBUSY ? "EBUSY" : "took it");
    fflush(stdout);
    pthread_mutex_lock(&A);
    show("thread holds A", &A);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

// Taken and released a few times: dept answers a lock and an unlock it has
// seen before from its caches, the path whose form depends on the number
// of threads.
static void warm(pthread_mutex_t *m) {
    for (int i = 0; i < 3; i++) {
        pthread_mutex_lock(m);
        pthread_mutex_unlock(m);
    }
}

int main(void) {
    alarm(10);
    H = malloc(sizeof *H);
    if (!H || pthread_mutex_init(H, NULL) != 0 || pipe(go) != 0) return 1;
    warm(&A);
    pthread_mutex_lock(&A);
    pthread_mutex_lock(H);
    show("alone, A held", &A);
    show("alone, H held", H);
    pthread_mutex_unlock(H);
    show("alone, H released", H);

    // Still held by main when the thread appears.
    pthread_t t;
    if (pthread_create(&t, NULL, taker, NULL) != 0) return 1;
    show("two threads, A held", &A);
    pthread_mutex_unlock(&A);
    show("two threads, A released", &A);
    warm(&A);
    pthread_mutex_lock(&A);
    if (write(go[1], "g", 1) != 1) return 1;
    // Wait until the thread sleeps in the lock: the word says so.
    for (int i = 0; i < 1000 && __atomic_load_n(&A.__data.__lock, __ATOMIC_ACQUIRE) != 2; i++) sleep_ms(5);
    show("two threads, A held, one asleep", &A);
    pthread_mutex_unlock(&A);
    pthread_join(t, NULL);
    show("joined, A free", &A);

    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(H);
        show("child, H held", H);
        pthread_mutex_unlock(H);
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
    pthread_mutex_destroy(H);
    free(H);
    printf("hostile_lock_before_threads: done\n");
    return 0;
}
