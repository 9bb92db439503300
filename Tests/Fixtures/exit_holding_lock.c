// exit_holding_lock: a thread exits while it holds a mutex. No deadlock:
// dept prints a `DEPT: warning:` (JSON: an object of kind "warning"), which
// the CLI tests use to check that warnings follow docs/report-schema.json.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t held_at_exit = PTHREAD_MUTEX_INITIALIZER;

static void *leaves_it_locked(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&held_at_exit);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, leaves_it_locked, NULL);
    pthread_join(t, NULL);
    puts("exit_holding_lock: done");
    return 0;
}
