// dept-example: cpp_semaphore_latch
// expect: silent
// objects: slots items start_line phase_bar
// summary: C++20 primitives that never call a pthread function (libstdc++ makes their futex calls through syscall()): a bounded queue between two producers and two consumers with std::counting_semaphore slots/items (10000 items), a std::latch start_line, a std::barrier phase_bar for 50 phases, and std::atomic<int>::wait/notify_one; every wait is satisfied by its predicate or count: no report.
// build: c++ -std=c++20 -g -O1 -pthread -o $OUT/cpp_semaphore_latch Examples/cpp_semaphore_latch.cpp
#include <atomic>
#include <barrier>
#include <cstdio>
#include <latch>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

constexpr int kQueue = 8;
constexpr int kItems = 5000;        // per producer
constexpr int kPhases = 50;

std::counting_semaphore<kQueue> slots(kQueue);
std::counting_semaphore<kQueue> items(0);
std::mutex queue_lock;
int queue[kQueue];
int head, tail;
std::latch start_line(5);
std::atomic<long> consumed_sum{0};
std::atomic<int> phase_done{0};

void produce(int base) {
    start_line.arrive_and_wait();
    for (int i = 0; i < kItems; i++) {
        slots.acquire();
        {
            std::lock_guard<std::mutex> g(queue_lock);
            queue[tail] = base + i;
            tail = (tail + 1) % kQueue;
        }
        items.release();
    }
}

void consume() {
    start_line.arrive_and_wait();
    for (int i = 0; i < kItems; i++) {
        items.acquire();
        int v;
        {
            std::lock_guard<std::mutex> g(queue_lock);
            v = queue[head];
            head = (head + 1) % kQueue;
        }
        slots.release();
        consumed_sum += v;
    }
}

int main() {
    std::vector<std::thread> workers;
    workers.emplace_back(produce, 0);
    workers.emplace_back(produce, 1000000);
    workers.emplace_back(consume);
    workers.emplace_back(consume);
    start_line.arrive_and_wait();
    for (auto &t : workers) t.join();

    // Phases: four threads meet at phase_bar after each phase; the
    // completion step counts the phases.
    std::barrier phase_bar(4, []() noexcept { phase_done.fetch_add(1); });
    std::atomic<long> work{0};
    std::vector<std::thread> phased;
    for (int k = 0; k < 4; k++)
        phased.emplace_back([&] {
            for (int p = 0; p < kPhases; p++) {
                work += p;
                phase_bar.arrive_and_wait();
            }
        });
    for (auto &t : phased) t.join();

    // atomic wait/notify hand-off.
    std::atomic<int> token{0};
    std::thread waiter([&] {
        for (int i = 0; i < 1000; i++) {
            token.wait(0);
            token.store(0);
            token.notify_one();
        }
    });
    for (int i = 0; i < 1000; i++) {
        token.store(1);
        token.notify_one();
        token.wait(1);
    }
    waiter.join();

    std::printf("cpp_semaphore_latch: done (sum %ld, phases %d, work %ld)\n", consumed_sum.load(), phase_done.load(), work.load());
    return 0;
}
