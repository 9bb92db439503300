// dept-example: hostile_fork_pool
// expect: silent
// objects: m on_the_way_out
// summary: a library the program links against (Examples/hostile/libfork_pool.c) registers fork handlers in its constructor, before dept's constructor runs; its prepare handler stops its worker thread and joins it, and the worker takes a lock on its way out; the program forks three times; nothing to report, and every fork completes.
// build: cc -g -O0 -shared -fPIC -pthread -o $OUT/libfork_pool.so Examples/hostile/libfork_pool.c && cc -g -O0 -pthread -o $OUT/hostile_fork_pool Examples/hostile_fork_pool.c -L$OUT -lfork_pool -Wl,-rpath,$OUT
//
// Hostile because: fork handlers run prepare handlers in the reverse order
// of their registration, so the earlier library's handler runs after
// dept's. If dept's prepare handler took dept's locks, the worker's last
// lock would wait for them, inside dept, for ever, and the join in the
// library's handler with it: R's mclapply with OpenBLAS hung that way.
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

long fork_pool_stopped(void);

int main(void)
{
    alarm(10);
    for (int i = 0; i < 3; i++) {
        pid_t p = fork();
        if (p < 0) { perror("fork"); return 1; }
        if (p == 0) _exit(0);
        int st = 0;
        if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "hostile_fork_pool: child %d failed\n", i);
            return 1;
        }
    }
    printf("hostile_fork_pool: workers stopped %ld times\n", fork_pool_stopped());
    printf("hostile_fork_pool: done\n");
    return 0;
}
