// dept-example: futex_lock_released_under_mutex
// expect: potential
// objects: S F
// summary: A futex-word lock F (GLib's GMutex protocol) taken before mutex S and released inside it: the taker sleeps for F (so dept sees where it took F), then takes S, then releases F with FUTEX_WAKE while holding S; another thread holding S sleeps on F. F then S against S then F: an AB-BA deadlock between a futex lock and a mutex, reported although F's release is a lock's (futex_lock_under_mutex is its silent twin).
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
static int sleeper_tid;

static void until_stage(int s)
{
    while (__atomic_load_n(&stage, __ATOMIC_ACQUIRE) < s) usleep(1000);
}

// Sleeps for F (main holds it), so its take is seen; then S; then releases
// F inside S: F's release depends on taking S.
static void *taker(void *arg)
{
    (void)arg;
    until_stage(1);
    __atomic_store_n(&sleeper_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    f_lock();                   // [W] F, then holds F
    pthread_mutex_lock(&S);     // [W] S while holding F
    f_unlock();                 // [E] F, under S (F is 2: FUTEX_WAKE)
    pthread_mutex_unlock(&S);
    __atomic_store_n(&stage, 2, __ATOMIC_RELEASE);
    return NULL;
}

// Sleeps on F while holding S.
static void *holder(void *arg)
{
    (void)arg;
    until_stage(3);
    pthread_mutex_lock(&S);
    __atomic_store_n(&sleeper_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
    f_lock();                   // [W] F while holding S
    f_unlock();
    pthread_mutex_unlock(&S);
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    pthread_create(&t[0], NULL, taker, NULL);
    pthread_create(&t[1], NULL, holder, NULL);
    f_lock();
    __atomic_store_n(&stage, 1, __ATOMIC_RELEASE);
    until_sleeping(&sleeper_tid);
    f_unlock();
    until_stage(2);
    __atomic_store_n(&sleeper_tid, 0, __ATOMIC_RELEASE);
    f_lock();
    __atomic_store_n(&stage, 3, __ATOMIC_RELEASE);
    until_sleeping(&sleeper_tid);
    f_unlock();
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    puts("futex_lock_released_under_mutex: done");
    return 0;
}
