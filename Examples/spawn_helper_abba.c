// dept-example: spawn_helper_abba
// expect: potential
// objects: left right
// summary: AB-BA between two threads that main starts through one spawn() helper, after main itself took and released both locks once (a warm-up); each context's creation stack must name its own line of main, and each [E] the context's own thread (not main's warm-up, which released the locks first).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t left = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t right = PTHREAD_MUTEX_INITIALIZER;

static void warm_up(void)
{
    pthread_mutex_lock(&left);
    pthread_mutex_unlock(&left);        // the first release of left anywhere
    pthread_mutex_lock(&right);
    pthread_mutex_unlock(&right);       // the first release of right anywhere
}

static void *left_then_right(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&left);
    pthread_mutex_lock(&right);
    pthread_mutex_unlock(&right);
    pthread_mutex_unlock(&left);        // ctx-X's own release of left: its [E]
    return NULL;
}

static void *right_then_left(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&right);
    pthread_mutex_lock(&left);          // closes the cycle
    pthread_mutex_unlock(&left);
    pthread_mutex_unlock(&right);
    return NULL;
}

// Every thread of the program starts here: the caller of pthread_create is
// the same for both, only the frame below differs.
static pthread_t spawn(void *(*fn)(void *))
{
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    return t;
}

int main(void)
{
    warm_up();
    pthread_t x = spawn(left_then_right);   // ctx-X: created on this line
    pthread_join(x, NULL);
    pthread_t y = spawn(right_then_left);   // ctx-Y: created on this line
    pthread_join(y, NULL);
    puts("spawn_helper_abba: done");
    return 0;
}
