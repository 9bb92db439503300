// A symbolizer that takes its time: sleeps $SLOW_SYMBOLIZER_MS (default
// 600 ms), then execs the one named by $SLOW_SYMBOLIZER_NEXT with the same
// arguments, its signal mask as it got it. Used as dept's symbolizer_path,
// it keeps the helper process alive long enough for a second signal to the
// process group to reach it, or stands for a loaded machine. Build:
//   cc -O0 -o $OUT/slow_symbolizer Examples/lib/slow_symbolizer.c
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    (void)argc;
    const char *next = getenv("SLOW_SYMBOLIZER_NEXT");
    if (!next) return 127;
    const char *ms_text = getenv("SLOW_SYMBOLIZER_MS");
    long ms = ms_text ? atol(ms_text) : 600;
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {}
    argv[0] = (char *)next;
    execv(next, argv);
    return 127;
}
