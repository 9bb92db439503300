// A preloaded library placed after libdept.so (LD_PRELOAD=libdept.so:
// libslow_spawn.so), so that dept's pthread_create calls this one instead
// of glibc's. It creates the thread, then returns only once every other
// thread of the process sleeps in the kernel (at most 5 s): the new thread
// has blocked before its creator's pthread_create returned. Without it that
// order takes a busy machine (the creator descheduled right after clone),
// and whatever dept does after the real pthread_create comes too late for
// a thread that blocks at once. Build:
//   cc -g -O0 -shared -fPIC -o $OUT/libslow_spawn.so Examples/lib/libslow_spawn.c -ldl
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// Whether the task's state in /proc/self/task/<tid>/stat is S (asleep).
static int asleep(const char *tid)
{
    char path[64] = "/proc/self/task/", buf[256];
    strcat(strcat(path, tid), "/stat");
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 1;                       // gone: not running either
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 1;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] == 'S';
}

static int others_asleep(void)
{
    pid_t self = (pid_t)syscall(SYS_gettid);
    DIR *d = opendir("/proc/self/task");
    if (!d) return 1;
    int all = 1;
    struct dirent *e;
    while (all && (e = readdir(d)))
        if (e->d_name[0] != '.' && atoi(e->d_name) != self && !asleep(e->d_name)) all = 0;
    closedir(d);
    return all;
}

int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    int (*next)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) =
        (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))dlsym(RTLD_NEXT, "pthread_create");
    int rc = next(th, attr, fn, arg);
    if (rc == 0) {
        struct timespec tick = { 0, 10 * 1000000L };
        for (int i = 0; i < 500 && !others_asleep(); i++) nanosleep(&tick, 0);
    }
    return rc;
}
