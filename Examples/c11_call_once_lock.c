// dept-example: c11_call_once_lock
// expect: potential
// objects: L once
// summary: C11 call_once whose function takes mtx_t L, and another thread that calls call_once on the same flag while holding L; here the function has run before, but if that thread came first it would wait, holding L, for a function that waits for L.
#include <stdio.h>
#include <threads.h>

static mtx_t L;
static once_flag once = ONCE_FLAG_INIT;
static int table;

static void init_table(void)
{
    mtx_lock(&L);           // the function's [S]..[E] waits for L
    table = 42;
    mtx_unlock(&L);
}

static int first_user(void *arg)
{
    (void)arg;
    call_once(&once, init_table);
    return 0;
}

static int locked_user(void *arg)
{
    (void)arg;
    mtx_lock(&L);
    call_once(&once, init_table);   // [W] the function's end while holding L
    int v = table;
    mtx_unlock(&L);
    return v;
}

int main(void)
{
    mtx_init(&L, mtx_plain);
    thrd_t t;
    int v = 0;
    thrd_create(&t, first_user, NULL);
    thrd_join(t, NULL);
    thrd_create(&t, locked_user, NULL);
    thrd_join(t, &v);
    printf("c11_call_once_lock: done (table %d)\n", v);
    return 0;
}
