// dept-example: hostile_dlopen
// expect: silent
// objects: P lib_outer lib_inner
// summary: dlopen a library with static locks of its own (lib_outer -> lib_table -> lib_inner, taken in its constructor, destructor, functions and a thread of its own), call it while holding P, dlclose it; then a zero-initialised mutex X in fresh memory at the address where lib_outer was is used X -> P; then dlopen, call and dlclose again; consistent orders only, no report, no crash.
// build: cc -g -O0 -shared -fPIC -pthread -o $OUT/libdl_locks.so Examples/hostile/libdl_locks.c && cc -g -O0 -pthread -o $OUT/hostile_dlopen Examples/hostile_dlopen.c -ldl
//
// Hostile because: the library's constructor and destructor take locks
// while the loader holds its own lock; after dlclose its static storage is
// unmapped and the address can carry a different lock: a detector that keys
// static locks by address and never forgets them merges X with lib_outer and
// sees P -> lib_outer and lib_outer(X) -> P as a cycle. (The program places X
// there with MAP_FIXED_NOREPLACE; when the address is not free it uses other
// memory and says so on stderr.)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static pthread_mutex_t P = PTHREAD_MUTEX_INITIALIZER;
static char libpath[PATH_MAX];

static long round_trip(int round, void **outer)
{
    void *h = dlopen(libpath, RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "dlopen: %s\n", dlerror()); return -1; }
    long (*work)(long) = (long (*)(long))dlsym(h, "lib_work");
    void *(*addr)(void) = (void *(*)(void))dlsym(h, "lib_outer_addr");
    if (!work || !addr) { fprintf(stderr, "dlsym: %s\n", dlerror()); return -1; }
    *outer = addr();
    pthread_mutex_lock(&P);               // P -> lib_outer -> lib_table -> lib_inner
    long total = work(100 * round);
    pthread_mutex_unlock(&P);
    if (dlclose(h) != 0) { fprintf(stderr, "dlclose: %s\n", dlerror()); return -1; }
    return total;
}

int main(void)
{
    alarm(10);
    char self[PATH_MAX - 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) { perror("readlink"); return 2; }
    self[n] = 0;
    *strrchr(self, '/') = 0;
    snprintf(libpath, sizeof libpath, "%s/libdl_locks.so", self);

    void *outer = NULL;
    long t1 = round_trip(1, &outer);
    printf("round 1: total %ld\n", t1);

    // Fresh memory where lib_outer was: a zero-initialised mutex (as
    // PTHREAD_MUTEX_INITIALIZER), used X -> P, then destroyed and unmapped.
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t base = (uintptr_t)outer & ~(uintptr_t)(page - 1);
    void *mem = mmap((void *)base, (size_t)page, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    pthread_mutex_t *X;
    if (mem == MAP_FAILED || mem != (void *)base) {
        if (mem != MAP_FAILED) munmap(mem, (size_t)page);
        fprintf(stderr, "hostile_dlopen: note: the old address of lib_outer is not free (%s); X goes elsewhere\n",
                mem == MAP_FAILED ? strerror(errno) : "hint ignored");
        mem = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        X = (pthread_mutex_t *)mem;
    } else {
        X = (pthread_mutex_t *)outer;
    }
    pthread_mutex_lock(X);                // X -> P
    pthread_mutex_lock(&P);
    pthread_mutex_unlock(&P);
    pthread_mutex_unlock(X);
    pthread_mutex_destroy(X);
    munmap(mem, (size_t)page);
    puts("reused memory: X -> P done");

    long t2 = round_trip(2, &outer);
    printf("round 2: total %ld\n", t2);
    puts("hostile_dlopen: done");
    return 0;
}
