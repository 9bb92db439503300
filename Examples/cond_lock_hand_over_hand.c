// dept-example: cond_lock_hand_over_hand
// expect: potential
// objects: L obj_init
// summary: Per-object locks built from a mutex, a condvar and a busy flag (one init site, one acquire function for all of them). T1 acquires o0, takes L, acquires o1, then releases o0 while it holds L: its release of o0 depends on L, which it took after acquiring o0. T2 holds L and waits to acquire o0. A real inversion (o0 then L, L then o0); sequenced so it completes: T2 runs first, while a helper holds o0. T1's later acquire of o1 must not pass for the acquire o0's release gives back.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

struct obj { pthread_mutex_t m; pthread_cond_t c; int busy, sleepers; };
static struct obj *objs;
static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static void obj_init(struct obj *p) {
    pthread_mutex_init(&p->m, NULL);
    pthread_cond_init(&p->c, NULL);
}

__attribute__((noinline)) static void obj_acquire(struct obj *p) {
    pthread_mutex_lock(&p->m);
    while (p->busy) {
        p->sleepers++;
        pthread_cond_wait(&p->c, &p->m);
        p->sleepers--;
    }
    p->busy = 1;
    pthread_mutex_unlock(&p->m);
}

__attribute__((noinline)) static void obj_release(struct obj *p) {
    pthread_mutex_lock(&p->m);
    p->busy = 0;
    pthread_mutex_unlock(&p->m);
    pthread_cond_signal(&p->c);
}

static void *helper(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "helper");
    obj_acquire(&objs[0]);
    for (;;) {                     // until T2 sleeps in obj_acquire
        pthread_mutex_lock(&objs[0].m);
        int sleeping = objs[0].sleepers;
        pthread_mutex_unlock(&objs[0].m);
        if (sleeping) break;
        sched_yield();
    }
    obj_release(&objs[0]);         // T2 gets o0
    return NULL;
}

static void *t2(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "T2");
    pthread_t h;
    pthread_create(&h, NULL, helper, NULL);
    for (;;) {                     // until the helper holds o0
        pthread_mutex_lock(&objs[0].m);
        int busy = objs[0].busy;
        pthread_mutex_unlock(&objs[0].m);
        if (busy) break;
        sched_yield();
    }
    pthread_mutex_lock(&L);
    obj_acquire(&objs[0]);         // sleeps holding L
    obj_release(&objs[0]);
    pthread_mutex_unlock(&L);
    pthread_join(h, NULL);
    return NULL;
}

static void *t1(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "T1");
    obj_acquire(&objs[0]);
    pthread_mutex_lock(&L);        // after o0
    obj_acquire(&objs[1]);         // hand over hand
    obj_release(&objs[0]);         // holding L, taken after o0's acquire
    pthread_mutex_unlock(&L);
    obj_release(&objs[1]);
    return NULL;
}

int main(void) {
    objs = calloc(2, sizeof *objs);
    static volatile int nobjs = 2;
    for (int i = 0; i < nobjs; i++) obj_init(&objs[i]);
    pthread_t a, b;
    pthread_create(&b, NULL, t2, NULL);
    pthread_join(b, NULL);
    pthread_create(&a, NULL, t1, NULL);
    pthread_join(a, NULL);
    puts("cond_lock_hand_over_hand: done");
    return 0;
}
