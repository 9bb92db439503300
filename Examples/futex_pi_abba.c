// dept-example: futex_pi_abba
// expect: potential
// objects: A B
// summary: Two priority-inheritance futex locks (the protocol of Swift's Synchronization.Mutex: the word holds the owner's TID, FUTEX_LOCK_PI / FUTEX_UNLOCK_PI through syscall() when contended); thread X takes A then B, later thread Y takes B then A, every acquisition contended by a helper that holds the lock until the kernel queued the waiter; only contended acquisitions are visible, and both orders were seen.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint32_t A, B;       // 0: free; else the owner's TID (| FUTEX_WAITERS)

static long futex(uint32_t *w, int op)
{
    return syscall(SYS_futex, w, op, 0, NULL, NULL, 0);
}

static void pi_lock(uint32_t *w)
{
    uint32_t free_word = 0;
    if (__atomic_compare_exchange_n(w, &free_word, (uint32_t)gettid(), 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;                             // uncontended: no system call
    while (futex(w, FUTEX_LOCK_PI_PRIVATE) != 0) {
        if (errno != EINTR && errno != EAGAIN) { perror("FUTEX_LOCK_PI"); abort(); }
    }
}

static void pi_unlock(uint32_t *w)
{
    uint32_t mine = (uint32_t)gettid();
    if (__atomic_compare_exchange_n(w, &mine, 0, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        return;                             // nobody waits: no system call
    futex(w, FUTEX_UNLOCK_PI_PRIVATE);
}

// Takes *w contended: a helper holds it until the kernel has queued us.
struct holder { uint32_t *w; sem_t holds; };

static void *hold_until_contended(void *arg)
{
    struct holder *h = arg;
    pi_lock(h->w);
    sem_post(&h->holds);
    while (!(__atomic_load_n(h->w, __ATOMIC_ACQUIRE) & FUTEX_WAITERS))
        sched_yield();
    pi_unlock(h->w);                        // hands it to the waiter
    return NULL;
}

static void contended_lock(uint32_t *w, pthread_t *helper, struct holder *h)
{
    h->w = w;
    sem_init(&h->holds, 0, 0);
    pthread_create(helper, NULL, hold_until_contended, h);
    sem_wait(&h->holds);
    pi_lock(w);                             // FUTEX_LOCK_PI: [W] w
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_t h1, h2;
    struct holder a, b;
    contended_lock(&A, &h1, &a);            // [S] A
    contended_lock(&B, &h2, &b);            // [W] B while holding A: A -> B
    pi_unlock(&B);                          // released in user space: unseen
    pi_unlock(&A);
    pthread_join(h1, NULL);
    pthread_join(h2, NULL);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_t h1, h2;
    struct holder b, a;
    contended_lock(&B, &h1, &b);            // [S] B
    contended_lock(&A, &h2, &a);            // [W] A while holding B: B -> A closes the cycle
    pi_unlock(&A);
    pi_unlock(&B);
    pthread_join(h1, NULL);
    pthread_join(h2, NULL);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    puts("futex_pi_abba: done");
    return 0;
}
