// dept-example: hostile_ctor_atexit
// expect: silent
// objects: CA CB PRE CARRY
// summary: locks used before main (a .preinit_array function, which runs before any shared library constructor, dept's included, and leaves CARRY locked for main to unlock; constructors that take CA -> CB, initialise a lock and start a thread that lives on into main) and after main returns (atexit handlers that take CA -> CB and join the constructor's thread, a C++-style static destructor registered with atexit first, and a destructor function that runs after dept's own exit handler); one order throughout, no report, no warning.
//
// Hostile because: hooks are called before libdept.so is initialised (they
// must pass straight through, and the lock taken then is released by main
// once dept is running), a thread is created before main, and hooks are
// called again after dept's exit handler ran (from the executable's
// destructors, during exit).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t CA = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t CB = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t PRE = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t CARRY = PTHREAD_MUTEX_INITIALIZER;   // locked before main, unlocked in main
static pthread_mutex_t DYN;                                  // initialised in a constructor
static pthread_cond_t bg_go = PTHREAD_COND_INITIALIZER;
static int bg_quit, bg_rounds, steps;
static pthread_t bg;
static int pre_ran;

static void step(void)
{
    pthread_mutex_lock(&CA);
    pthread_mutex_lock(&CB);
    pthread_mutex_lock(&DYN);
    steps++;
    pthread_mutex_unlock(&DYN);
    pthread_mutex_unlock(&CB);
    pthread_mutex_unlock(&CA);
}

// Runs before every shared library's constructor (libdept.so's too).
static void preinit(int argc, char **argv, char **envp)
{
    (void)argc; (void)argv; (void)envp;
    pthread_mutex_lock(&PRE);
    pre_ran = 1;
    pthread_mutex_unlock(&PRE);
    pthread_mutex_lock(&CARRY);           // released by main
}
__attribute__((section(".preinit_array"), used)) static void (*preinit_fn)(int, char **, char **) = preinit;

// A thread started by a constructor, alive across main, joined at exit.
static void *background(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&CA);
    while (!bg_quit) {
        pthread_cond_wait(&bg_go, &CA);
        if (!bg_quit) bg_rounds++;
    }
    pthread_mutex_unlock(&CA);
    return NULL;
}

__attribute__((constructor(101))) static void early_ctor(void)
{
    pthread_mutex_init(&DYN, NULL);
    step();
}

__attribute__((constructor)) static void late_ctor(void)
{
    step();
    pthread_create(&bg, NULL, background, NULL);
}

// "static destructor": registered first with atexit, so it runs last of
// the atexit handlers.
static void static_dtor(void)
{
    step();
    printf("static destructor: steps=%d\n", steps);
}

static void join_bg(void)
{
    pthread_mutex_lock(&CA);
    bg_quit = 1;
    pthread_cond_broadcast(&bg_go);
    pthread_mutex_unlock(&CA);
    pthread_join(bg, NULL);
    step();
    printf("atexit: background thread joined, steps=%d\n", steps);
}

// Runs from _dl_fini: after every atexit handler, dept's own included.
__attribute__((destructor)) static void final_dtor(void)
{
    step();
    pthread_mutex_lock(&PRE);
    pthread_mutex_unlock(&PRE);
    printf("destructor: steps=%d\n", steps);
    fflush(stdout);
}

int main(void)
{
    alarm(10);
    atexit(static_dtor);
    atexit(join_bg);
    pthread_mutex_unlock(&CARRY);         // taken before dept was initialised
    for (int i = 0; i < 3; i++) {
        step();
        pthread_mutex_lock(&CA);
        pthread_cond_signal(&bg_go);      // bg_rounds depends on timing: not printed by main
        pthread_mutex_unlock(&CA);
    }
    pthread_mutex_lock(&CARRY);
    pthread_mutex_unlock(&CARRY);
    printf("main: pre_ran=%d steps=%d\n", pre_ran, steps);
    return 0;
}
