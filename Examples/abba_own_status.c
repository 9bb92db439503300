// dept-example: abba_own_status
// expect: potential
// objects: A B
// summary: The AB-BA of abba.c in a program that then exits with a status of its own (81, as LibreOffice's soffice.bin asks its launcher to start it again): the report is printed and the program's status is kept, since replacing it with dept's exitcode changes what the caller does next.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&A);     // [S] A
    pthread_mutex_lock(&B);     // [W] B while holding A: A -> B
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(&A);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&B);     // [S] B
    pthread_mutex_lock(&A);     // [W] A while holding B: B -> A closes the cycle
    pthread_mutex_unlock(&A);
    pthread_mutex_unlock(&B);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    puts("abba_own_status: done");
    // The status is the first argument, 81 without one.
    exit(argc > 1 ? atoi(argv[1]) : 81);
}
