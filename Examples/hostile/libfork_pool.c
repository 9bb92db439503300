// A library with a thread pool that stops its worker in a fork handler, as
// OpenBLAS's pthread build does (blas_thread_shutdown_): the prepare handler
// tells the worker to stop and joins it, the parent handler starts it again.
// The program links against this library, so its constructor, and its
// pthread_atfork, run before those of a preloaded library.
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
// Taken by a worker on its way out, as OpenBLAS's workers take a lock in
// blas_memory_free: the first acquisition by each new worker thread.
static pthread_mutex_t on_the_way_out = PTHREAD_MUTEX_INITIALIZER;
static int stop, running;
static pthread_t worker;
static long stopped;

static void *work(void *arg)
{
    pthread_mutex_lock(&m);
    while (!stop) pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    pthread_mutex_lock(&on_the_way_out);
    stopped++;
    pthread_mutex_unlock(&on_the_way_out);
    return arg;
}

static void start(void)
{
    stop = 0;
    running = pthread_create(&worker, 0, work, 0) == 0;
}

static void prepare(void)
{
    if (!running) return;
    pthread_mutex_lock(&m);
    stop = 1;
    pthread_cond_broadcast(&c);
    pthread_mutex_unlock(&m);
    pthread_join(worker, 0);
    running = 0;
}

static void parent(void) { start(); }
static void child(void) {}

__attribute__((constructor)) static void init(void)
{
    pthread_atfork(prepare, parent, child);
    start();
}

long fork_pool_stopped(void) { return stopped; }
