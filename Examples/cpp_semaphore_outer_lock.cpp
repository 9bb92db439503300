// dept-example: cpp_semaphore_outer_lock
// expect: potential
// objects: M ready
// summary: C++20 std::binary_semaphore ready (libstdc++ waits and wakes through syscall(SYS_futex)): round 1, a thread sleeps in ready.acquire() while holding std::mutex M and a helper releases it without M; round 2, a thread releases ready while holding M, with a waiter that holds nothing; in one round, a waiter holding M and a releaser that needs M wait for each other.
// build: c++ -std=c++20 -g -O1 -pthread -o $OUT/cpp_semaphore_outer_lock Examples/cpp_semaphore_outer_lock.cpp
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <semaphore>
#include <thread>
#include <unistd.h>

std::mutex M;
std::binary_semaphore ready(0);

// Until thread `tid` sleeps in the kernel (futex): the semaphore's slow
// path, which is all dept sees of it.
static void until_blocked(std::atomic<int> &tid) {
    while (!tid.load()) std::this_thread::yield();
    char path[64], line[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid.load());
    for (;;) {
        FILE *f = std::fopen(path, "r");
        bool in_futex = f && std::fgets(line, sizeof line, f) && std::strncmp(line, "202 ", 4) == 0;
        if (f) std::fclose(f);
        if (in_futex) return;
        std::this_thread::yield();
    }
}

int main() {
    // Round 1: [W] ready while holding M.
    std::atomic<int> waiter_tid{0};
    std::thread waiter([&] {
        waiter_tid = gettid();
        std::lock_guard<std::mutex> g(M);
        ready.acquire();
    });
    std::thread helper([&] {
        until_blocked(waiter_tid);
        ready.release();                // without M
    });
    waiter.join();
    helper.join();

    // Round 2: [E] ready while holding M.
    std::atomic<int> plain_tid{0};
    std::thread plain_waiter([&] {
        plain_tid = gettid();
        ready.acquire();
    });
    std::thread releaser([&] {
        until_blocked(plain_tid);
        std::lock_guard<std::mutex> g(M);
        ready.release();
    });
    plain_waiter.join();
    releaser.join();
    std::puts("cpp_semaphore_outer_lock: done");
    return 0;
}
