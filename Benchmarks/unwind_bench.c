// Stack unwinders: the three that libdept.so can use (CShim/unwinder.c and
// CShim/cfi_unwinder.c, compiled into this program as they are), measured
// and checked side by side.
//
// usage: unwind_bench [captures]        (default 20000 per measurement)
//
// For each unwinder (dwarf, the default: dept's cached reader of the unwind
// tables, handing what it does not follow to gcc; gcc: GCC's
// _Unwind_Backtrace from the static libgcc_eh.a, as libdept.so links it;
// libunwind: libunwind.so.8 loaded at run time with its memory accessor
// replaced, as `unwinder=libunwind` does) it prints:
//   * ns per captured stack at depth 8 and 32 (a chain of -O2 functions
//     without frame pointers), repeated on one stack (warm: the median of
//     11 batches), and for the first capture on a new thread (cold: the
//     median of 11 threads; libunwind's per-thread cache is empty, dwarf's
//     process-wide cache is emptied first, GCC's unwinder has none);
//   * whether the stack is right: every frame of the chain, in order;
//   * as gcc: whether every stack of these checks (the chains, the signal
//     frame, the frames without unwind information) is, from the capturing
//     function's caller to the end, the one GCC's unwinder gives there;
//   * own: whether dwarf followed the chains itself (without handing them
//     to GCC's unwinder, as it does a signal frame or a frame without
//     unwind information);
//   * through a signal frame: a signal handler capturing while the thread
//     was interrupted in the middle of a frameless leaf (a timer signal, not
//     a call): the handler, the leaf, and every frame below it;
//   * through a frame without unwind information (a hand-written function
//     with a frame pointer but no CFI): how many frames come out below it;
//     and through such a frame whose frame pointer is garbage: the unwinder
//     must stop, not crash;
//   * descriptors the unwinder opened in the process (libunwind's pipe), and
//     whether the program's data survives when the program closed every
//     descriptor and reused the numbers for a socket pair before such a
//     capture (libunwind's own validation reads and writes its pipe by
//     number; dept replaces it): shown for libunwind's own accessor too.
// Exit status 1 when the default unwinder (dwarf) or gcc gets a stack wrong,
// dwarf's differs from gcc's, or a capture crashes, so Scripts/bench can
// run it as a check.
//
// Build (Scripts/bench does): cc -O2 -g -pthread -o unwind_bench Benchmarks/unwind_bench.c
//   CShim/unwinder.c CShim/cfi_unwinder.c -I CShim $(cc -print-file-name=libgcc_eh.a) -ldl
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "unwinder.h"

typedef int (*unwind_fn)(void **, int);

// The chain: its own section, so a return address can be told to lie in it.
#define CHAIN __attribute__((noinline, section("dept_chain")))
extern char __start_dept_chain[], __stop_dept_chain[];
static int in_chain(void *pc) { return (char *)pc >= __start_dept_chain && (char *)pc < __stop_dept_chain; }

struct job {
    unwind_fn fn;
    int depth, captures, max;
    void *pcs[128];
    int n;
    double ns;
    void *ref[128];      // GCC's stack at the same point
    int nref;
    void *site;          // where the capturing function returns to
};

// As libdept.so unwinds by default (stack_capture.c); counts the stacks
// handed to GCC's unwinder.
static int dwarf_fell;
static int dwarf(void **pcs, int max) {
    int n = dept_unwind_cfi(pcs, max);
    if (n >= 0) return n;
    dwarf_fell++;
    return dept_unwind_gcc(pcs, max);
}

// Whether j's stack is GCC's from the capturing function's caller on (the
// capturing function called the two unwinders from different places).
static int find_pc(void *const *pcs, int n, void *pc) {
    int i = 0;
    while (i < n && pcs[i] != pc) i++;
    return i;
}
static int as_gcc(const struct job *j) {
    int a = find_pc(j->pcs, j->n, j->site), b = find_pc(j->ref, j->nref, j->site);
    if (a == j->n || b == j->nref || j->n - a != j->nref - b) return 0;
    return memcmp(j->pcs + a, j->ref + b, (size_t)(j->n - a) * sizeof *j->pcs) == 0;
}

// The thread's CPU time: the machine may be busy (the cost of a capture is
// work, not waiting), and the lead re-measures on a quiet one.
static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

// The captures in 11 batches; ns per capture of the median batch (a busy
// machine preempts some of them).
CHAIN static int leaf(struct job *j) {
    enum { BATCHES = 11 };
    double per[BATCHES];
    int each = j->captures >= BATCHES ? j->captures / BATCHES : 1;
    int batches = j->captures >= BATCHES ? BATCHES : 1;
    for (int b = 0; b < batches; b++) {
        double t0 = now_ns();
        for (int i = 0; i < each; i++) j->n = j->fn(j->pcs, j->max);
        per[b] = (now_ns() - t0) / each;
    }
    j->ns = median(per, batches);
    j->nref = dept_unwind_gcc(j->ref, j->max);
    j->site = __builtin_return_address(0);
    return j->n;
}

CHAIN static int chain(struct job *j, int n) {
    int r = n == 0 ? leaf(j) : chain(j, n - 1);
    __asm__ volatile("" ::: "memory");
    return r + 1;      // not a tail call: every level keeps its frame
}

// The unwinder's own frames come first; then leaf, then depth+... chain
// frames. Right when the chain frames follow in one run, depth+1 of them
// (leaf and the chain calls), then something outside the chain (the caller).
static int chain_frames(struct job *j) {
    int i = 0, k = 0;
    while (i < j->n && !in_chain(j->pcs[i])) i++;
    while (i < j->n && in_chain(j->pcs[i])) { i++; k++; }
    return k;
}

static int stack_right(struct job *j) {
    int i = 0;
    while (i < j->n && !in_chain(j->pcs[i])) i++;
    int k = chain_frames(j);
    return k == j->depth + 2 && i + k < j->n;
}

static void run(struct job *j) { chain(j, j->depth); }

static void *run_thread(void *arg) { run(arg); return 0; }

// ---- return addresses that look alike ------------------------------------

// Two frames whose functions each start a page of their own and have the
// same code: their return addresses agree in their low 12 bits, as a hook's
// in libdept.so and its caller's in the program may. A cache indexed by
// those bits alone (dept's, once) worked out both rules again on every
// capture. Rules worked out over 100 warm captures: none.
#define TWIN __attribute__((noinline, aligned(4096)))
static unsigned long twins_extra;
static __attribute__((noinline)) int twin_leaf(struct job *j) {
    // The first captures may work rules out (the first at each call, if
    // the compiler peels the loop); the last 100, from one call on one
    // stack, must not.
    unsigned long after[102];
    for (int i = 0; i < 102; i++) {
        j->n = j->fn(j->pcs, j->max);
        after[i] = dept_unwind_cfi_derived();
    }
    twins_extra = after[101] - after[1];
    __asm__ volatile("" ::: "memory");
    return j->n;
}
TWIN static int twin_b(struct job *j) {
    int r = twin_leaf(j);
    __asm__ volatile("" ::: "memory");
    return r + 1;
}
TWIN static int twin_a(struct job *j) {
    int r = twin_b(j);
    __asm__ volatile("" ::: "memory");
    return r + 1;
}
static unsigned long twins_rederived(unwind_fn fn) {
    struct job j = { .fn = fn, .max = 128 };
    twin_a(&j);
    return twins_extra;
}

// ---- signal frame -------------------------------------------------------

static volatile sig_atomic_t stop;
static struct job *sig_job;

static void on_alarm(int sig) {
    (void)sig;
    sig_job->n = sig_job->fn(sig_job->pcs, sig_job->max);
    sig_job->nref = dept_unwind_gcc(sig_job->ref, sig_job->max);
    sig_job->site = __builtin_return_address(0);
    stop = 1;
}

CHAIN static int spin(void) {
    int k = 0;
    while (!stop) k++;     // frameless: no call, no frame pointer
    return k;
}

CHAIN static int sig_chain(int n) {
    int r = n == 0 ? spin() : sig_chain(n - 1);
    __asm__ volatile("" ::: "memory");
    return r + 1;
}

static int signal_frames(unwind_fn fn, int depth, int *same) {
    struct job j = { .fn = fn, .depth = depth, .max = 128 };
    sig_job = &j;
    stop = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, 0);
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, 0);
    sig_chain(depth);
    *same = as_gcc(&j);
    return chain_frames(&j);    // spin + depth+1 sig_chain levels when right
}

// ---- frames without unwind information ----------------------------------

// nocfi_call(fn, job): a standard frame (push rbp; mov rsp, rbp) without
// any CFI, calling fn(job). nocfi_garbage does the same with a frame
// pointer that points at nothing.
__asm__(".text\n"
        ".globl nocfi_call\n.type nocfi_call,@function\nnocfi_call:\n"
        "  push %rbp\n  mov %rsp, %rbp\n  mov %rdi, %rax\n  mov %rsi, %rdi\n  call *%rax\n"
        "  pop %rbp\n  ret\n.size nocfi_call, .-nocfi_call\n"
        ".globl nocfi_garbage\n.type nocfi_garbage,@function\nnocfi_garbage:\n"
        "  push %rbp\n  mov $0x10, %rbp\n  mov %rdi, %rax\n  mov %rsi, %rdi\n  call *%rax\n"
        "  pop %rbp\n  ret\n.size nocfi_garbage, .-nocfi_garbage\n");
void nocfi_call(void (*fn)(struct job *), struct job *j);
void nocfi_garbage(void (*fn)(struct job *), struct job *j);

static void capture_once(struct job *j) {
    j->n = j->fn(j->pcs, j->max);
    j->nref = dept_unwind_gcc(j->ref, j->max);
    j->site = __builtin_return_address(0);
}

CHAIN static int nocfi_chain(struct job *j, int n, int garbage) {
    if (n == 0) (garbage ? nocfi_garbage : nocfi_call)(capture_once, j);
    else nocfi_chain(j, n - 1, garbage);
    __asm__ volatile("" ::: "memory");
    return n + 1;
}

// The program closes every descriptor above 2 (as daemons do) and opens a
// socket pair, which takes the lowest numbers (where libunwind's pipe was),
// with 8 bytes in flight; then a capture goes through a frame without
// unwind information, where libunwind validates addresses. 1 when the 8
// bytes arrive intact.
struct fd_job { unwind_fn fn; int safe; };

static void *fd_safe_thread(void *arg) {
    struct fd_job *f = arg;
    for (int fd = 3; fd < 1024; fd++) close(fd);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 0;
    if (write(sv[1], "12345678", 8) != 8) return 0;
    struct job j = { .fn = f->fn, .max = 128 };
    nocfi_chain(&j, 8, 0);
    char buf[16];
    ssize_t n = recv(sv[0], buf, sizeof buf, MSG_DONTWAIT);
    f->safe = n == 8 && memcmp(buf, "12345678", 8) == 0;
    close(sv[0]);
    close(sv[1]);
    return 0;
}

// On a new thread: new stack pages, which libunwind has not validated yet.
static int fd_safe(unwind_fn fn) {
    struct fd_job f = { fn, 0 };
    pthread_t t;
    pthread_create(&t, 0, fd_safe_thread, &f);
    pthread_join(t, 0);
    return f.safe;
}

static int open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n - 3;     // ".", "..", and the directory's own descriptor
}

int main(int argc, char **argv) {
    int captures = argc > 1 ? atoi(argv[1]) : 20000;
    if (captures < 1) captures = 1;
    // libunwind as it comes, before dept's accessor replaces its validation
    // (one library instance: this has to come first).
    int fds0 = open_fds(), fds_libunwind = 0, stock_safe = -1;
    void *h = dlopen("libunwind.so.8", RTLD_LAZY | RTLD_LOCAL);
    unwind_fn stock = h ? (unwind_fn)dlsym(h, "unw_backtrace") : 0;
    if (stock) {
        void *pcs[4];
        stock(pcs, 4);                        // its initialisation opens the pipe
        fds_libunwind = open_fds() - fds0;
        stock_safe = fd_safe(stock);
    }
    int have_libunwind = dept_unwind_libunwind_load();
    struct { const char *name; unwind_fn fn; int fds; } unwinders[] = {
        { "dwarf", dwarf, 0 },
        { "gcc", dept_unwind_gcc, 0 },
        { "libunwind", dept_unwind_libunwind, fds_libunwind },
    };
    int failed = 0;
    printf("%-10s %9s %9s %9s %9s %7s %7s %7s %8s %4s %8s %6s %4s %5s\n", "unwinder", "d8 warm", "d8 cold", "d32 warm",
           "d32 cold", "stacks", "signal", "no-CFI", "garbage", "fds", "fd-safe", "as gcc", "own", "twins");
    for (int u = 0; u < 3; u++) {
        if (u == 2 && !have_libunwind) { printf("libunwind  (libunwind.so.8 not installed)\n"); continue; }
        int same = 1, s;
        dwarf_fell = 0;
        double warm[2], cold[2];
        int right = 1;
        int depths[2] = { 8, 32 };
        for (int d = 0; d < 2; d++) {
            struct job j = { .fn = unwinders[u].fn, .depth = depths[d], .captures = captures, .max = 128 };
            run(&j);
            warm[d] = j.ns;
            right &= stack_right(&j);
            same &= as_gcc(&j);
            // The first capture on each of 11 new threads: the median.
            double firsts[11];
            for (int k = 0; k < 11; k++) {
                struct job c = { .fn = unwinders[u].fn, .depth = depths[d], .captures = 1, .max = 128 };
                if (unwinders[u].fn == dwarf) dept_unwind_cfi_forget();
                pthread_t t;
                pthread_create(&t, 0, run_thread, &c);
                pthread_join(t, 0);
                firsts[k] = c.ns;
                right &= c.n > 0 && chain_frames(&c) == depths[d] + 2;
                same &= as_gcc(&c);
            }
            cold[d] = median(firsts, 11);
        }
        int own = dwarf_fell == 0;
        int sig = signal_frames(unwinders[u].fn, 8, &s);  // right: 10 (spin + 9 levels)
        same &= s;
        struct job n1 = { .fn = unwinders[u].fn, .max = 128 };
        nocfi_chain(&n1, 8, 0);
        int below = chain_frames(&n1);                    // nocfi_chain frames below the CFI-less frame
        same &= as_gcc(&n1);
        struct job n2 = { .fn = unwinders[u].fn, .max = 128 };
        nocfi_chain(&n2, 8, 1);                           // must return at all
        same &= as_gcc(&n2);
        int safe = fd_safe(unwinders[u].fn);
        char twins[16] = "-";
        unsigned long rederived = u == 0 ? twins_rederived(unwinders[u].fn) : 0;
        if (u == 0) snprintf(twins, sizeof twins, "%lu", rederived);
        printf("%-10s %9.0f %9.0f %9.0f %9.0f %7s %7s %7d %8s %4d %8s %6s %4s %5s\n", unwinders[u].name, warm[0], cold[0],
               warm[1], cold[1], right ? "right" : "WRONG", sig == 10 ? "right" : "WRONG", below, "survived",
               unwinders[u].fds, safe ? "yes" : "NO", u == 1 ? "-" : same ? "yes" : "NO", u ? "-" : own ? "yes" : "NO",
               twins);
        if (u < 2 && (!right || sig != 10 || !safe)) failed = 1;
        if (u == 0 && (!same || !own || rederived)) failed = 1;
    }
    if (stock_safe >= 0)
        printf("%-10s %9s %9s %9s %9s %7s %7s %7s %8s %4d %8s   (libunwind's own validation, not used by dept)\n",
               "libunwind*", "-", "-", "-", "-", "-", "-", "-", "-", fds_libunwind, stock_safe ? "yes" : "NO");
    printf("CPU ns per captured stack (d8/d32: 8 or 32 -O2 frames below the capture; warm: median of 11 batches on\n"
           "one stack; cold: median of the first capture on each of 11 new threads)\n");
    printf("stacks: every frame of the chain, in order; signal: handler capture through a timer signal that\n"
           "interrupted a frameless leaf at depth 8; no-CFI: chain frames recovered below a frame without unwind\n"
           "information (9 = all); garbage: such a frame with a bad frame pointer did not crash; fds: descriptors\n"
           "the unwinder keeps open in the program; fd-safe: the program's socket data survived a capture after\n"
           "the program closed every descriptor and reused the numbers; as gcc: every stack above is GCC's\n"
           "unwinder's at the same point; own: dwarf followed the chains without GCC's unwinder; twins: rules dwarf\n"
           "worked out again over 100 warm captures through two return addresses at the same page offset\n");
    return failed;
}
