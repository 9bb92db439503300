// dept-example: hostile_errorcheck
// expect: warning
// objects: E
// summary: an error-checking mutex E relocked by its owner (lock, timedlock: EDEADLK; trylock: EBUSY), unlocked by a thread that does not own it (EPERM) and unlocked when not locked (EPERM); the return codes and errno must be exactly as without the preload; a `DEPT: warning:` is fine, a report is not (the relock returns an error instead of hanging).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t E;

static const char *name(int rc)
{
    switch (rc) {
    case 0: return "0";
    case EDEADLK: return "EDEADLK";
    case EPERM: return "EPERM";
    case EBUSY: return "EBUSY";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EINVAL: return "EINVAL";
    default: return "other";
    }
}

#define CALL(label, expr) do { \
        errno = 4242; \
        int rc_ = (expr); \
        printf("  %-32s -> %s%s\n", label, name(rc_), errno == 4242 ? "" : " (errno changed)"); \
    } while (0)

static void *non_owner(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-intruder");
    CALL("unlock(E) by non-owner", pthread_mutex_unlock(&E));
    CALL("trylock(E) by non-owner", pthread_mutex_trylock(&E));
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&E, &a);
    pthread_mutexattr_destroy(&a);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;

    CALL("lock(E)", pthread_mutex_lock(&E));
    CALL("lock(E) by owner", pthread_mutex_lock(&E));
    CALL("trylock(E) by owner", pthread_mutex_trylock(&E));
    CALL("timedlock(E) by owner", pthread_mutex_timedlock(&E, &ts));
    CALL("clocklock(E) by owner", pthread_mutex_clocklock(&E, CLOCK_MONOTONIC, &ts));
    pthread_t t;
    pthread_create(&t, NULL, non_owner, NULL);
    pthread_join(t, NULL);
    CALL("unlock(E)", pthread_mutex_unlock(&E));
    CALL("unlock(E) when unlocked", pthread_mutex_unlock(&E));
    CALL("unlock(E) when unlocked again", pthread_mutex_unlock(&E));
    // It still works afterwards.
    CALL("lock(E) after", pthread_mutex_lock(&E));
    CALL("unlock(E) after", pthread_mutex_unlock(&E));
    CALL("destroy(E)", pthread_mutex_destroy(&E));
    puts("hostile_errorcheck: done");
    return 0;
}
