// dept-example: acq_key_site_clash
// expect: silent
// objects: slots X
// summary: Two static mutexes whose addresses differ exactly as two lock call sites do (m1 ^ m2 == site_f ^ site_g): m1 is taken at site_f, then m2 at site_g while nothing is held, then X under m2, and later m1 under X. No cycle: m2 -> X and X -> m1. A cache key that mixed the address and the call site with one xor gave both acquisitions one key, pushed m2 as m1 and reported X -> m1 -> X. With the argument `same`, site_g takes m1 itself: a real inversion, reported.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

// 64-byte slots: for d = site_f ^ site_g, a multiple of 64, some slot's
// address xor d is another slot's.
struct slot { pthread_mutex_t m; char pad[64 - sizeof(pthread_mutex_t)]; } __attribute__((aligned(64)));
static struct slot slots[1024] = { [0 ... 1023] = { PTHREAD_MUTEX_INITIALIZER, { 0 } } };
static pthread_mutex_t X = PTHREAD_MUTEX_INITIALIZER;

// Alike and 256-byte aligned: their calls of pthread_mutex_lock lie at
// the same offset, so the two return addresses differ by site_f ^ site_g.
__attribute__((noinline, aligned(256))) static void site_f(pthread_mutex_t *m) { pthread_mutex_lock(m); __asm__ volatile(""); }
__attribute__((noinline, aligned(256))) static void site_g(pthread_mutex_t *m) { pthread_mutex_lock(m); __asm__ volatile(""); }

int main(int argc, char **argv)
{
    uintptr_t d = (uintptr_t)site_f ^ (uintptr_t)site_g, lo = (uintptr_t)slots, hi = lo + sizeof slots;
    pthread_mutex_t *m1 = 0, *m2 = 0;
    for (int i = 0; i < 1024 && !m1 && d % 64 == 0; i++) {
        uintptr_t other = (uintptr_t)&slots[i] ^ d;
        if (other >= lo && other < hi) m1 = &slots[i].m, m2 = (pthread_mutex_t *)other;
    }
    if (!m1) {
        fprintf(stderr, "acq_key_site_clash: no two slots lie as the sites do (%#lx)\n", (unsigned long)d);
        return 2;
    }
    if (argc > 1 && strcmp(argv[1], "same") == 0) m2 = m1;
    for (int i = 0; i < 3; i++) {   // taken again and again: cached
        site_f(m1);
        pthread_mutex_unlock(m1);
    }
    site_g(m2);                     // nothing held
    pthread_mutex_lock(&X);         // m2 -> X
    pthread_mutex_unlock(&X);
    pthread_mutex_unlock(m2);
    pthread_mutex_lock(&X);
    pthread_mutex_lock(m1);         // X -> m1: a cycle only if m2 is m1
    pthread_mutex_unlock(m1);
    pthread_mutex_unlock(&X);
    puts("acq_key_site_clash: done");
    return 0;
}
