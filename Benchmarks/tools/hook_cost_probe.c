// hook_cost_probe.c - what a hook's own cost does to a two-CPU ping-pong on
// this machine, for Scripts/hook-cost: a preload that interposes sem_wait
// and sem_post (the calls Benchmarks/sem_pingpong.c makes) and, instead of
// any model work, burns a set number of nanoseconds of CPU, or writes a set
// number of cache lines that both threads write, at the points a hook can
// do its work. On a virtual machine whose idle vCPUs halt, a wake-up costs
// far more than the instructions around it, and how much more depends on
// where those instructions run; this measures it without dept, so dept's
// own ratio can be read against what any interposer with its cost gets.
//
// Settings (environment, read once at load):
//   PROBE_BURN_NS=N   nanoseconds of CPU to burn at each point of PROBE_AT
//   PROBE_AT=LIST     comma-separated points: wait-before, wait-after,
//                     post-before, post-after (before or after the real call)
//   PROBE_LINES=N     at every point of PROBE_AT, one atomic add to each of
//                     N cache lines shared by all threads (at most 64)
// With none of them set it only forwards, like forward_only.c.
//
// build: cc -O2 -shared -fPIC -o hook_cost_probe.so hook_cost_probe.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { WAIT_BEFORE = 1, WAIT_AFTER = 2, POST_BEFORE = 4, POST_AFTER = 8 };

static int (*next_sem_wait)(sem_t *);
static int (*next_sem_post)(sem_t *);
static unsigned points;
static long burn_ns, nlines;
static struct { _Alignas(64) long v; } shared_lines[64];

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void cost(unsigned point) {
    if (!(points & point)) return;
    for (long i = 0; i < nlines; i++) __atomic_fetch_add(&shared_lines[i].v, 1, __ATOMIC_SEQ_CST);
    if (burn_ns > 0) {
        long end = now_ns() + burn_ns;
        while (now_ns() < end) {}
    }
}

__attribute__((visibility("default"))) int sem_wait(sem_t *s) {
    cost(WAIT_BEFORE);
    int r = next_sem_wait(s);
    cost(WAIT_AFTER);
    return r;
}

__attribute__((visibility("default"))) int sem_post(sem_t *s) {
    cost(POST_BEFORE);
    int r = next_sem_post(s);
    cost(POST_AFTER);
    return r;
}

__attribute__((constructor)) static void probe_init(void) {
    next_sem_wait = (int (*)(sem_t *))dlsym(RTLD_NEXT, "sem_wait");
    next_sem_post = (int (*)(sem_t *))dlsym(RTLD_NEXT, "sem_post");
    const char *v = getenv("PROBE_BURN_NS");
    burn_ns = v ? atol(v) : 0;
    v = getenv("PROBE_LINES");
    nlines = v ? atol(v) : 0;
    if (nlines < 0) nlines = 0;
    if (nlines > 64) nlines = 64;
    static const struct { const char *name; unsigned bit; } names[] = {
        { "wait-before", WAIT_BEFORE }, { "wait-after", WAIT_AFTER },
        { "post-before", POST_BEFORE }, { "post-after", POST_AFTER },
    };
    v = getenv("PROBE_AT");
    while (v && *v) {
        size_t n = strcspn(v, ",");
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == n && strncmp(v, names[i].name, n) == 0) bit = names[i].bit;
        if (!bit) {
            static const char msg[] = "hook_cost_probe: PROBE_AT: unknown point (wait-before, wait-after, "
                                      "post-before, post-after)\n";
            (void)!write(2, msg, sizeof msg - 1);
            _exit(2);
        }
        points |= bit;
        v += n;
        if (*v == ',') v++;
    }
}
