// dept-example: stack_mutex_abandoned
// expect: silent
// objects: S
// summary: A function initialises a mutex S on its stack with pthread_mutex_init, locks it and returns without unlocking it (abandoned, as Helgrind's tc04_free_lock does); the same function, called again from the same place, puts a new mutex in the same stack slot with PTHREAD_MUTEX_INITIALIZER (no init call for dept to see), locks it and unlocks it. The second lock is of a new, unlocked mutex: no thread waits for itself. The near miss, a held mutex locked again, is hang_self_relock.
//
// The stale entry: dept still counts the abandoned mutex as held by the
// thread at that address, and the second lock looked like the thread
// waiting for a mutex it holds (a one-event cycle). The mutex's own word
// says it is unlocked.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uintptr_t slot[2];

static __attribute__((noinline)) void use(int round)
{
        pthread_mutex_t S;
        if (round == 0) {
                pthread_mutex_init(&S, NULL);
        } else {
                pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
                memcpy(&S, &fresh, sizeof S);
        }
        slot[round] = (uintptr_t)&S;
        pthread_mutex_lock(&S);
        if (round == 0)
                return;                 // abandoned, still locked
        pthread_mutex_unlock(&S);
}

int main(void)
{
        alarm(10);                      // never hang for more than 10 s
        use(0);
        use(1);
        printf("stack_mutex_abandoned: same stack slot: %s\n", slot[0] == slot[1] ? "yes" : "no");
        printf("stack_mutex_abandoned: done\n");
        return 0;
}
