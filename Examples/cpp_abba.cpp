// dept-example: cpp_abba
// expect: potential
// objects: bank::checking bank::savings
// summary: bank::transfer locks the source account's std::mutex then the destination's; transferring a->b, then (after a join) b->a is the classic AB-BA inversion; stacks should show demangled names such as bank::Account::withdraw_to.
// build: g++ -g -O0 -std=c++17 -pthread -o $OUT/cpp_abba Examples/cpp_abba.cpp
// Both mutexes are the first member (offset 0) of the global objects
// bank::checking and bank::savings, so a report names them by those symbols.
#include <cstdio>
#include <mutex>
#include <thread>

// cpp_abba_o2.cpp builds this same program with -O2 under its own name.
#ifndef EXAMPLE_NAME
#define EXAMPLE_NAME "cpp_abba"
#endif

namespace bank {

class Account {
public:
    explicit Account(long balance) : balance_(balance) {}

    // Locks this account, then the other one: this -> other.
    void withdraw_to(Account &other, long amount)
    {
        std::lock_guard<std::mutex> mine(mutex_);
        std::lock_guard<std::mutex> theirs(other.mutex_);
        balance_ -= amount;
        other.balance_ += amount;
    }

    long balance() const { return balance_; }

private:
    std::mutex mutex_;
    long balance_;
};

Account checking(100);
Account savings(100);

void transfer(Account &from, Account &to, long amount)
{
    from.withdraw_to(to, amount);
}

} // namespace bank

int main()
{
    // checking -> savings, finished before the opposite transfer starts.
    std::thread t1(bank::transfer, std::ref(bank::checking), std::ref(bank::savings), 10);
    t1.join();
    // savings -> checking: the reverse lock order.
    std::thread t2(bank::transfer, std::ref(bank::savings), std::ref(bank::checking), 5);
    t2.join();
    std::printf(EXAMPLE_NAME ": done %ld %ld\n", bank::checking.balance(), bank::savings.balance());
    return 0;
}
