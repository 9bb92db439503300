// dept-example: same_class_both_orders
// expect: potential
// objects: lock_init
// summary: Every lock of the program is made by one wrapper (lock_init), so all of them share one class. One thread takes instance x then y, later y then x, both blocking: another thread running either half at the same time deadlocks. lockdep, TSan and Helgrind report it; the instance pairs must reach the core in both orders.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { pthread_mutex_t m; long value; } lock_t;

// The wrapper: every lock of the program is initialised here.
__attribute__((noinline)) static lock_t *lock_init(void)
{
    lock_t *l = calloc(1, sizeof *l);
    pthread_mutex_init(&l->m, NULL);
    return l;
}
__attribute__((noinline)) static void lock_take(lock_t *l) { pthread_mutex_lock(&l->m); }
__attribute__((noinline)) static void lock_give(lock_t *l) { pthread_mutex_unlock(&l->m); }

static lock_t *accounts, *audit;

static void transfer(lock_t *from, lock_t *to)
{
    lock_take(from);
    lock_take(to);
    to->value += from->value;
    lock_give(to);
    lock_give(from);
}

int main(void)
{
    accounts = lock_init();
    audit = lock_init();
    transfer(accounts, audit);     // x then y
    transfer(audit, accounts);     // y then x: the inversion, in the same thread
    printf("same_class_both_orders: done %ld\n", accounts->value + audit->value);
    return 0;
}
