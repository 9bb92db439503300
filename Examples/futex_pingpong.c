// dept-example: futex_pingpong
// expect: silent
// objects: turn
// summary: Two threads hand a turn back and forth 20000 times through one raw futex word (FUTEX_WAIT until it is my turn, FUTEX_WAKE after passing it), the way futex-based events work; the predicate guarantees progress: no report.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROUNDS 20000

static uint32_t turn;       // 0: ping's turn, 1: pong's

static void play(uint32_t me)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint32_t t;
        while ((t = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != me)
            syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, t, NULL, NULL, 0);
        __atomic_store_n(&turn, 1 - me, __ATOMIC_RELEASE);
        syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}

static void *pong(void *arg)
{
    (void)arg;
    play(1);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, pong, NULL);
    play(0);
    pthread_join(t, NULL);
    puts("futex_pingpong: done");
    return 0;
}
