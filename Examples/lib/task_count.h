// task_count.h - how many threads the process has, as /proc/self/task lists
// them: what a program counts before it forks or sandboxes itself (Chromium's
// zygote CHECKs it is 1), and so what dept's own monitor thread must not
// change where the program has one thread.
#ifndef TASK_COUNT_H
#define TASK_COUNT_H
#include <dirent.h>

static int threads(void) {
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}
#endif
