// in_futex.h - waits until a thread of this process sleeps in a futex (its
// /proc/self/task/<tid>/syscall line starts with 202, SYS_futex on x86-64):
// a join, a contended lock. An example whose deadlock the kernel proves at
// once (FUTEX_LOCK_PI's EDEADLK) is reported the moment it happens, so it
// waits with this until every thread it expects blocked is.
#ifndef IN_FUTEX_H
#define IN_FUTEX_H
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

static void until_in_futex(pid_t tid)
{
    char path[64], line[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    for (;;) {
        FILE *f = fopen(path, "r");
        int in_futex = f && fgets(line, sizeof line, f) && strncmp(line, "202 ", 4) == 0;
        if (f) fclose(f);
        if (in_futex) return;
        sched_yield();
    }
}

#endif
