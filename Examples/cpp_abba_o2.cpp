// dept-example: cpp_abba_o2
// expect: potential
// objects: bank::checking bank::savings
// summary: cpp_abba built with -O2: std::mutex::lock and std::lock_guard are inlined from system headers into bank::Account::withdraw_to and bank::transfer, so the innermost line of each pc is gthr-default.h; every frame, the sentence and the SUMMARY must still point at cpp_abba.cpp.
// build: g++ -g -O2 -std=c++17 -pthread -o $OUT/cpp_abba_o2 Examples/cpp_abba_o2.cpp
#define EXAMPLE_NAME "cpp_abba_o2"
#include "cpp_abba.cpp"
