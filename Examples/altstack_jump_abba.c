// dept-example: altstack_jump_abba
// expect: potential
// objects: A B
// summary: a thread's SIGUSR1 handler runs on an 8 KiB alternate signal stack and leaves by siglongjmp; the thread then locks A then B. A later thread locks B then A. The run completes, but the opposite orders can deadlock.
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static sigjmp_buf back;

// On a stack too small for dept's model step, the handler runs with dept's
// hooks passed through; leaving it by a jump must not leave them so.
static void handler(int sig) {
    (void)sig;
    siglongjmp(back, 1);
}

static void *jumper(void *arg) {
    (void)arg;
    stack_t alt = { .ss_sp = malloc(8 << 10), .ss_size = 8 << 10, .ss_flags = 0 };
    if (!alt.ss_sp || sigaltstack(&alt, NULL) != 0) return NULL;
    if (sigsetjmp(back, 1) == 0) raise(SIGUSR1);
    pthread_mutex_lock(&A);
    pthread_mutex_lock(&B);
    pthread_mutex_unlock(&B);
    pthread_mutex_unlock(&A);
    stack_t off = { .ss_flags = SS_DISABLE };
    sigaltstack(&off, NULL);
    free(alt.ss_sp);
    return NULL;
}

static void *other(void *arg) {
    (void)arg;
    pthread_mutex_lock(&B);
    pthread_mutex_lock(&A);
    pthread_mutex_unlock(&A);
    pthread_mutex_unlock(&B);
    return NULL;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, jumper, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, other, NULL);
    pthread_join(t, NULL);
    puts("altstack_jump_abba: done");
    return 0;
}
