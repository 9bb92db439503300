// dept-example: hang_futex_wait
// expect: hang
// objects: word_1 word_2
// summary: Two threads built on raw futexes: X sleeps in FUTEX_WAIT on word_1 before it would wake word_2, Y sleeps on word_2 before it would wake word_1; nothing owns a futex word, so only "every thread is blocked" can be proven: a hang; main blocks in pthread_join.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint32_t word_1, word_2;

static void wait_for(uint32_t *w)
{
    while (__atomic_load_n(w, __ATOMIC_ACQUIRE) == 0)
        syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static void wake(uint32_t *w)
{
    __atomic_store_n(w, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    wait_for(&word_1);      // sleeps forever
    wake(&word_2);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    wait_for(&word_2);      // sleeps forever
    wake(&word_1);
    return NULL;
}

int main(void)
{
    alarm(10);
    pthread_t x, y;
    pthread_create(&x, NULL, ctx_x, NULL);
    pthread_create(&y, NULL, ctx_y, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("hang_futex_wait: unreachable");
    return 0;
}
