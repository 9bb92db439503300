// dept-example: hostile_destroy_locked
// expect: warning
// objects: D S RW heap
// summary: destroying locked locks (a mutex held by the caller, a static mutex held by another thread, a write-locked rwlock, a locked heap mutex), then re-initialising them, sometimes over the still-locked memory, and using them again in one consistent order; the return codes and errno must be exactly as without the preload; `DEPT: warning:` lines, no report.
//
// Hostile because: glibc refuses (EBUSY) to destroy a locked mutex but
// happily "destroys" a locked rwlock, pthread_mutex_init over a locked mutex
// silently unlocks it, and freed memory comes back as a new lock; a detector
// that trusts destroy/init to mean "unlocked" or keeps the old life keeps
// stale held entries or merges two locks.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t D;
static pthread_mutex_t S = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t Z = PTHREAD_MUTEX_INITIALIZER;   // taken after every other lock
static pthread_rwlock_t RW;
static pthread_barrier_t held, destroyed;

static const char *name(int rc)
{
    switch (rc) {
    case 0: return "0";
    case EBUSY: return "EBUSY";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case EDEADLK: return "EDEADLK";
    default: return "other";
    }
}

#define CALL(label, expr) do { \
        errno = 4242; \
        int rc_ = (expr); \
        printf("  %-34s -> %s%s\n", label, name(rc_), errno == 4242 ? "" : " (errno changed)"); \
    } while (0)

static void use(pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
    pthread_mutex_lock(&Z);
    pthread_mutex_unlock(&Z);
    pthread_mutex_unlock(m);
}

static void *holds_s(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-holder");
    pthread_mutex_lock(&S);
    pthread_barrier_wait(&held);
    pthread_barrier_wait(&destroyed);     // main tried to destroy S meanwhile
    pthread_mutex_unlock(&S);
    return NULL;
}

int main(void)
{
    alarm(10);
    puts("D: locked by the caller");
    CALL("init(D)", pthread_mutex_init(&D, NULL));
    CALL("lock(D)", pthread_mutex_lock(&D));
    CALL("destroy(D) while locked", pthread_mutex_destroy(&D));
    CALL("init(D) while locked", pthread_mutex_init(&D, NULL));
    CALL("lock(D) after re-init", pthread_mutex_lock(&D));
    CALL("unlock(D)", pthread_mutex_unlock(&D));
    CALL("destroy(D)", pthread_mutex_destroy(&D));
    CALL("init(D) again", pthread_mutex_init(&D, NULL));
    use(&D);
    CALL("destroy(D) at the end", pthread_mutex_destroy(&D));

    puts("S: static, locked by another thread");
    pthread_barrier_init(&held, NULL, 2);
    pthread_barrier_init(&destroyed, NULL, 2);
    pthread_t t;
    pthread_create(&t, NULL, holds_s, NULL);
    pthread_barrier_wait(&held);
    CALL("destroy(S) held by other", pthread_mutex_destroy(&S));
    pthread_barrier_wait(&destroyed);
    pthread_join(t, NULL);
    CALL("destroy(S) after unlock", pthread_mutex_destroy(&S));
    CALL("init(S)", pthread_mutex_init(&S, NULL));
    use(&S);

    puts("RW: write-locked rwlock");
    CALL("init(RW)", pthread_rwlock_init(&RW, NULL));
    CALL("wrlock(RW)", pthread_rwlock_wrlock(&RW));
    CALL("destroy(RW) while locked", pthread_rwlock_destroy(&RW));
    CALL("init(RW) over it", pthread_rwlock_init(&RW, NULL));
    CALL("rdlock(RW)", pthread_rwlock_rdlock(&RW));
    CALL("unlock(RW)", pthread_rwlock_unlock(&RW));
    CALL("wrlock(RW) again", pthread_rwlock_wrlock(&RW));
    pthread_mutex_lock(&Z);
    pthread_mutex_unlock(&Z);
    CALL("unlock(RW) again", pthread_rwlock_unlock(&RW));
    CALL("destroy(RW)", pthread_rwlock_destroy(&RW));

    puts("heap: locked, freed, memory reused");
    pthread_mutex_t *h = malloc(sizeof *h);
    CALL("init(heap)", pthread_mutex_init(h, NULL));
    CALL("lock(heap)", pthread_mutex_lock(h));
    CALL("destroy(heap) while locked", pthread_mutex_destroy(h));
    CALL("unlock(heap)", pthread_mutex_unlock(h));
    CALL("destroy(heap)", pthread_mutex_destroy(h));
    free(h);
    pthread_mutex_t *h2 = malloc(sizeof *h2);   // usually the same memory
    CALL("init(heap 2)", pthread_mutex_init(h2, NULL));
    use(h2);
    CALL("destroy(heap 2)", pthread_mutex_destroy(h2));
    free(h2);
    puts("hostile_destroy_locked: done");
    return 0;
}
