// dept-example: cpp_std_mutex
// expect: silent
// objects: g_stats_mutex g_table_mutex g_queue_mutex
// summary: C++ std::mutex, std::shared_mutex (shared and exclusive), std::thread and std::condition_variable used in one consistent order (table before stats) by readers, writers and a producer/consumer pair; prints a checksum and must stay silent.
// build: g++ -g -O0 -std=c++17 -pthread -o $OUT/cpp_std_mutex Examples/cpp_std_mutex.cpp
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

namespace {

std::shared_mutex g_table_mutex;            // level 1
std::mutex g_stats_mutex;                   // level 2, always after the table
std::mutex g_queue_mutex;                   // independent, with g_queue_cv
std::condition_variable g_queue_cv;
std::deque<int> g_queue;
bool g_queue_closed = false;

int g_table[64];
long g_reads, g_writes;

void reader(int seed)
{
    long sum = 0;
    for (int i = 0; i < 20000; i++) {
        std::shared_lock<std::shared_mutex> table(g_table_mutex);     // shared
        sum += g_table[(seed + i) % 64];
        std::lock_guard<std::mutex> stats(g_stats_mutex);            // table -> stats
        g_reads++;
    }
    (void)sum;
}

void writer(int seed)
{
    for (int i = 0; i < 5000; i++) {
        std::unique_lock<std::shared_mutex> table(g_table_mutex);     // exclusive
        g_table[(seed * 7 + i) % 64] += 1;
        std::lock_guard<std::mutex> stats(g_stats_mutex);            // table -> stats
        g_writes++;
    }
}

void producer()
{
    for (int i = 1; i <= 10000; i++) {
        std::lock_guard<std::mutex> lk(g_queue_mutex);
        g_queue.push_back(i);
        g_queue_cv.notify_one();
    }
    std::lock_guard<std::mutex> lk(g_queue_mutex);
    g_queue_closed = true;
    g_queue_cv.notify_all();
}

long consumer()
{
    long sum = 0;
    std::unique_lock<std::mutex> lk(g_queue_mutex);
    for (;;) {
        g_queue_cv.wait(lk, [] { return !g_queue.empty() || g_queue_closed; });
        if (g_queue.empty())
            return sum;
        sum += g_queue.front();
        g_queue.pop_front();
    }
}

} // namespace

int main()
{
    std::vector<std::thread> threads;
    long consumed = 0;
    for (int i = 0; i < 3; i++)
        threads.emplace_back(reader, i);
    for (int i = 0; i < 2; i++)
        threads.emplace_back(writer, i);
    threads.emplace_back(producer);
    threads.emplace_back([&consumed] { consumed = consumer(); });
    for (auto &t : threads)
        t.join();

    long table_sum = 0;
    for (int v : g_table)
        table_sum += v;
    std::printf("cpp_std_mutex: checksum %ld %ld %ld %ld\n",
                g_reads, g_writes, table_sum, consumed);
    return 0;
}
