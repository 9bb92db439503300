// dept-example: futex_lock_under_mutex
// expect: silent
// objects: S F
// summary: A futex-word lock F (GLib's GMutex protocol: 0 free, 1 taken, 2 taken with sleepers; only contention makes a system call) is always taken inside mutex S. One thread takes F without contention inside S and releases it with FUTEX_WAKE while another sleeps on it; later a thread holding S sleeps on F. Both take S then F, so no deadlock: the wake is the release of a lock its thread took after S (GStreamer's stream lock around GLib's g_slice lock).
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t S = PTHREAD_MUTEX_INITIALIZER;
static uint32_t F;

static void f_lock(void)
{
    uint32_t free_ = 0;
    if (__atomic_compare_exchange_n(&F, &free_, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
    while (__atomic_exchange_n(&F, 2, __ATOMIC_ACQUIRE) != 0)
        syscall(SYS_futex, &F, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

static void f_unlock(void)
{
    if (__atomic_exchange_n(&F, 0, __ATOMIC_RELEASE) != 1)
        syscall(SYS_futex, &F, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

// Until thread `tid` sleeps in futex(2): dept sees nothing of F before that.
static void until_sleeping(int *tid)
{
    while (!__atomic_load_n(tid, __ATOMIC_ACQUIRE)) usleep(1000);
    char path[64], line[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", __atomic_load_n(tid, __ATOMIC_ACQUIRE));
    for (;;) {
        FILE *f = fopen(path, "r");
        int in_futex = f && fgets(line, sizeof line, f) && strncmp(line, "202 ", 4) == 0;
        if (f) fclose(f);
        if (in_futex) return;
        usleep(1000);
    }
}

static int stage;               // plain atomics: dept sees no order from them
static int sleeper_tid, contender_tid;

static void until_stage(int s)
{
    while (__atomic_load_n(&stage, __ATOMIC_ACQUIRE) < s) usleep(1000);
}

// Stage 0: F contended with nothing held, so it is seen to behave as a
// lock (a thread woken from F releases it with FUTEX_WAKE itself).
static void *sleeper(void *arg)
{
    (void)arg;
    until_stage(1);
    __atomic_store_n(&sleeper_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    f_lock();       // sleeps: the taker holds F
    f_unlock();     // F is 2: wakes nobody, but calls FUTEX_WAKE
    return NULL;
}

// Stage 2: takes F inside S without contention (invisible) and releases it
// with FUTEX_WAKE, because the contender sleeps on it.
static void *taker(void *arg)
{
    (void)arg;
    until_stage(2);
    pthread_mutex_lock(&S);
    f_lock();
    __atomic_store_n(&stage, 3, __ATOMIC_RELEASE);
    until_sleeping(&contender_tid);
    f_unlock();                 // [E] F, under S
    pthread_mutex_unlock(&S);
    return NULL;
}

static void *contender(void *arg)
{
    (void)arg;
    until_stage(3);
    __atomic_store_n(&contender_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    f_lock();
    f_unlock();
    __atomic_store_n(&stage, 4, __ATOMIC_RELEASE);
    return NULL;
}

// Stage 4: sleeps on F while holding S, as the taker would have if the
// order were S then F for it too.
static void *holder(void *arg)
{
    (void)arg;
    until_stage(5);
    pthread_mutex_lock(&S);
    __atomic_store_n(&sleeper_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    f_lock();                   // [W] F while holding S
    f_unlock();
    pthread_mutex_unlock(&S);
    return NULL;
}

int main(void)
{
    pthread_t t[4];
    void *(*body[4])(void *) = { sleeper, taker, contender, holder };
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, body[i], NULL);
    // Stage 0/1: main holds F while the sleeper sleeps on it.
    f_lock();
    __atomic_store_n(&stage, 1, __ATOMIC_RELEASE);
    until_sleeping(&sleeper_tid);
    f_unlock();
    pthread_join(t[0], NULL);
    __atomic_store_n(&sleeper_tid, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&stage, 2, __ATOMIC_RELEASE);
    until_stage(4);
    // Stage 4/5: main holds F while the holder sleeps on it holding S.
    f_lock();
    __atomic_store_n(&stage, 5, __ATOMIC_RELEASE);
    until_sleeping(&sleeper_tid);
    f_unlock();
    for (int i = 1; i < 4; i++) pthread_join(t[i], NULL);
    puts("futex_lock_under_mutex: done");
    return 0;
}
