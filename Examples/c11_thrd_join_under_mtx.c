// dept-example: c11_thrd_join_under_mtx
// expect: potential
// objects: M
// summary: C11 threads: main calls thrd_join while holding mtx_t M, and the joined worker takes M before it ends with thrd_exit; here the worker is done with M before main takes it, but a worker that reaches M later never ends.
#include <stdatomic.h>
#include <stdio.h>
#include <threads.h>

static mtx_t M;
static atomic_int done_with_m;

static int worker(void *arg)
{
    (void)arg;
    mtx_lock(&M);           // the worker's body ([S] thread start) waits for M
    mtx_unlock(&M);
    atomic_store(&done_with_m, 1);
    thrd_exit(5);           // [E] the end of the thread
}

int main(void)
{
    mtx_init(&M, mtx_plain);
    thrd_t t;
    thrd_create(&t, worker, NULL);
    while (!atomic_load(&done_with_m))
        thrd_yield();
    int res = 0;
    mtx_lock(&M);
    thrd_join(t, &res);     // [W] the worker's end while holding M
    mtx_unlock(&M);
    printf("c11_thrd_join_under_mtx: done (worker returned %d)\n", res);
    return 0;
}
