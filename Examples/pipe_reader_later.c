// dept-example: pipe_reader_later
// expect: silent
// objects: pipe_fds
// summary: A worker blocks in read() on a pipe that a feeder thread writes 2 s later (after sleeping); a thread blocked in I/O with a sleeping feeder is no hang, and there is no lock cycle.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int pipe_fds[2];

static void *reader(void *arg)
{
    (void)arg;
    char buf[16] = {0};
    pthread_setname_np(pthread_self(), "ctx-reader");
    ssize_t n = read(pipe_fds[0], buf, sizeof buf - 1);    // blocked ~2 s in I/O
    return (void *)n;
}

static void *feeder(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-feeder");
    sleep(2);                               // the scenario: data arrives later
    if (write(pipe_fds[1], "hello", 5) != 5)
        perror("write");
    return NULL;
}

int main(void)
{
    alarm(10);                              // safety only; we finish after ~2 s
    pthread_t r, f;
    void *n;
    if (pipe(pipe_fds) != 0) { perror("pipe"); return 1; }
    pthread_create(&r, NULL, reader, NULL);
    pthread_create(&f, NULL, feeder, NULL);
    pthread_join(f, NULL);
    pthread_join(r, &n);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    printf("pipe_reader_later: done (%ld bytes)\n", (long)n);
    return 0;
}
