// dept-example: c11_mtx_abba
// expect: potential
// objects: A B
// summary: C11 threads: thread X takes mtx_t A then B and is joined before thread Y takes B then A (mtx_lock, thrd_create, thrd_join), so this run completes, but the opposite orders can deadlock in another interleaving.
#include <stdio.h>
#include <threads.h>

static mtx_t A, B;

static int ctx_x(void *arg)
{
    (void)arg;
    mtx_lock(&A);       // [S] A
    mtx_lock(&B);       // [W] B while holding A: A -> B
    mtx_unlock(&B);
    mtx_unlock(&A);
    return 1;
}

static int ctx_y(void *arg)
{
    (void)arg;
    mtx_lock(&B);       // [S] B
    mtx_lock(&A);       // [W] A while holding B: B -> A closes the cycle
    mtx_unlock(&A);
    mtx_unlock(&B);
    return 2;
}

int main(void)
{
    mtx_init(&A, mtx_plain);
    mtx_init(&B, mtx_plain);
    thrd_t t;
    int rx = 0, ry = 0;
    thrd_create(&t, ctx_x, NULL);
    thrd_join(t, &rx);
    thrd_create(&t, ctx_y, NULL);
    thrd_join(t, &ry);
    printf("c11_mtx_abba: done (results %d %d)\n", rx, ry);
    return 0;
}
