// startup_pairs: start-up cost of preloads, measured in alternating runs.
//
// usage: startup_pairs RUNS PRELOAD [PRELOAD...] -- COMMAND [ARGS...]
//
// Runs COMMAND RUNS times per mode, the modes interleaved round after round
// (plain, then each PRELOAD as LD_PRELOAD; "-" is plain again), so slow
// phases of a busy machine hit every mode alike. Each run is posix_spawn to
// waitpid, timed with CLOCK_MONOTONIC from this small process (a Python
// driver would add its own noise), and its CPU time (user + system, from
// wait4) is recorded too. Prints one line per mode:
//     <mode> <median ms> <median extra ms> <p25 ms> <p75 ms> <median CPU ms> <median extra CPU ms>
// where "extra" is the median of the per-round differences to the plain run
// of the same round. The command's stdout/stderr go to /dev/null; a run that
// does not exit 0, or a PRELOAD that does not exist, makes the tool exit 1.
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile(double *v, int n, double q) {
    double *c = malloc(n * sizeof *c);
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp);
    double r = c[(int)(q * (n - 1) + 0.5)];
    free(c);
    return r;
}

// The environment without LD_PRELOAD, plus LD_PRELOAD=preload unless "-".
static char **make_env(const char *preload) {
    int n = 0;
    while (environ[n]) n++;
    char **env = calloc(n + 2, sizeof *env);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0) env[k++] = environ[i];
    if (strcmp(preload, "-") != 0) {
        char *e = malloc(strlen(preload) + 12);
        sprintf(e, "LD_PRELOAD=%s", preload);
        env[k++] = e;
    }
    return env;
}

int main(int argc, char **argv) {
    int sep = 0;
    for (int i = 1; i < argc; i++) if (strcmp(argv[i], "--") == 0) { sep = i; break; }
    if (argc < 5 || sep < 3 || sep == argc - 1) {
        fprintf(stderr, "usage: startup_pairs RUNS PRELOAD [PRELOAD...] -- COMMAND [ARGS...]\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    if (runs < 1) { fprintf(stderr, "startup_pairs: RUNS must be >= 1\n"); return 2; }
    int modes = sep - 1;    // plain + each preload
    const char **names = calloc(modes, sizeof *names);
    char ***envs = calloc(modes, sizeof *envs);
    names[0] = "-";
    for (int m = 1; m < modes; m++) {
        names[m] = argv[1 + m];
        // The loader only warns about a preload it cannot find, and the run
        // would measure nothing.
        if (strcmp(names[m], "-") != 0 && access(names[m], R_OK) != 0) {
            fprintf(stderr, "startup_pairs: %s: cannot read it\n", names[m]);
            return 1;
        }
    }
    for (int m = 0; m < modes; m++) envs[m] = make_env(names[m]);
    double *t = calloc((size_t)modes * runs, sizeof *t);
    double *d = calloc((size_t)modes * runs, sizeof *d);
    double *c = calloc((size_t)modes * runs, sizeof *c);
    double *dc = calloc((size_t)modes * runs, sizeof *dc);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int failed = 0;
    for (int r = 0; r < runs; r++) {
        for (int m = 0; m < modes; m++) {
            double t0 = now_ms();
            pid_t pid;
            int st = 0;
            if (posix_spawnp(&pid, argv[sep + 1], &fa, NULL, argv + sep + 1, envs[m]) != 0) {
                perror("posix_spawn");
                return 2;
            }
            struct rusage ru;
            while (wait4(pid, &st, 0, &ru) < 0) {}
            t[m * runs + r] = now_ms() - t0;
            c[m * runs + r] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
                              + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) failed = 1;
        }
        for (int m = 0; m < modes; m++) {
            d[m * runs + r] = t[m * runs + r] - t[r];
            dc[m * runs + r] = c[m * runs + r] - c[r];
        }
    }
    for (int m = 0; m < modes; m++) {
        printf("%s %.3f %+.3f %.3f %.3f %.3f %+.3f\n", m == 0 ? "plain" : names[m], quantile(t + m * runs, runs, 0.5),
               quantile(d + m * runs, runs, 0.5), quantile(t + m * runs, runs, 0.25), quantile(t + m * runs, runs, 0.75),
               quantile(c + m * runs, runs, 0.5), quantile(dc + m * runs, runs, 0.5));
    }
    if (failed) fprintf(stderr, "startup_pairs: a run did not exit with status 0\n");
    return failed;
}
