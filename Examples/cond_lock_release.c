// dept-example: cond_lock_release
// expect: silent
// objects: m master
// summary: OCaml 4's master lock, a lock built from a mutex, a condvar and a busy flag (acquire: lock; while (busy) cond_wait(free); busy = 1; unlock. release: lock; busy = 0; unlock; cond_signal(free)). T2 takes the program's mutex m outside the master lock, then waits to acquire the master lock holding m (OCaml's Mutex.lock). T3 takes m outside the master lock too (Condition.wait re-takes it in a blocking section), acquires the master lock, and releases it, signalling free, while it still holds m. A thread waiting for the master lock waits for its holder, and the holder took m before it acquired the master lock: no cycle. With the argument `inverted`, T3 takes m after acquiring the master lock, then releases the master lock holding m: T2 holding m waits for a release that needs m, and m -> free -> m is reported.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

// st_masterlock: every thread holds it while it runs OCaml code.
static struct {
    pthread_mutex_t lock;
    pthread_cond_t free;
    int busy;
    int waiting;
} master = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;   // the program's Mutex.t
static sem_t elsewhere;                                  // T3's other blocking calls
static int inverted;

__attribute__((noinline)) static void master_acquire(void) {
    pthread_mutex_lock(&master.lock);
    while (master.busy) {
        master.waiting++;
        pthread_cond_wait(&master.free, &master.lock);
        master.waiting--;
    }
    master.busy = 1;
    pthread_mutex_unlock(&master.lock);
}

__attribute__((noinline)) static void master_release(void) {
    pthread_mutex_lock(&master.lock);
    master.busy = 0;
    pthread_mutex_unlock(&master.lock);
    pthread_cond_signal(&master.free);
}

// Until some thread sleeps in master_acquire.
static void wait_for_a_waiter(void) {
    for (;;) {
        pthread_mutex_lock(&master.lock);
        int w = master.waiting;
        pthread_mutex_unlock(&master.lock);
        if (w) return;
        sched_yield();
    }
}

// A thread that only waits for the master lock once: from then on, a
// lock of master.lock in master_acquire is the acquire of the master lock.
static void *first_waiter(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "T1w");
    master_acquire();              // sleeps: main holds the master lock
    master_release();
    return NULL;
}

static void *t3(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "T3");
    // Three times: the first signal, made holding m, publishes T3's clock
    // into m, which empties every acquisition cache once; from the third
    // round on, the cache answers the acquire, and it must still be one.
    // In between, T3 blocks elsewhere (OCaml threads do I/O), so its last
    // release signal does not announce its next one.
    for (int round = 0; round < 3; round++) {
        sem_post(&elsewhere);
        sem_wait(&elsewhere);
        if (inverted) {
            master_acquire();
            pthread_mutex_lock(&m);    // a blocking lock inside the master lock
            master_release();          // signals free holding m, taken after the acquire
            pthread_mutex_unlock(&m);
            continue;
        }
        pthread_mutex_lock(&m);        // Condition.wait's re-take, in a blocking section
        master_acquire();              // free: no wait
        master_release();              // the next blocking section: signals free holding m
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

// Mutex.lock after a contended trylock: the master lock is released first,
// m is taken outside it, and the master lock is acquired holding m.
static void *t2(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "T2");
    pthread_mutex_lock(&m);
    master_acquire();              // sleeps: main holds the master lock
    pthread_mutex_unlock(&m);
    master_release();
    return NULL;
}

static void handed_over(void *(*body)(void *)) {
    pthread_t t;
    master_acquire();
    pthread_create(&t, NULL, body, NULL);
    wait_for_a_waiter();
    master_release();              // the waiter gets the master lock
    pthread_join(t, NULL);
}

int main(int argc, char **argv) {
    inverted = argc > 1 && strcmp(argv[1], "inverted") == 0;
    sem_init(&elsewhere, 0, 0);
    handed_over(first_waiter);
    pthread_t b;
    pthread_create(&b, NULL, t3, NULL);
    pthread_join(b, NULL);
    handed_over(t2);
    puts("cond_lock_release: done");
    return 0;
}
