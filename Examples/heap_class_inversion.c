// dept-example: heap_class_inversion
// expect: potential
// objects: x_new y_new
// summary: Heap objects X and Y get their mutexes from one init site each (x_new, y_new), each called from one place (a loop); thread 1 locks x1 then y1, thread 2 later locks y2 then x2: different instances but the same two classes in opposite orders, a class-level inversion. (Were x_new called from two different places, it would be a wrapper whose objects are classed by caller, and x1 and x2 unrelated: see wrapper_two_funnels.)
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct X { pthread_mutex_t lock; int value; };
struct Y { pthread_mutex_t lock; int value; };

static struct X *x_new(void)
{
    struct X *x = calloc(1, sizeof *x);
    pthread_mutex_init(&x->lock, NULL);     // the one init site of class "X lock"
    return x;
}

static struct Y *y_new(void)
{
    struct Y *y = calloc(1, sizeof *y);
    pthread_mutex_init(&y->lock, NULL);     // the one init site of class "Y lock"
    return y;
}

static struct X *x1, *x2;
static struct Y *y1_, *y2_;                 // (y1 clashes with <math.h> Bessel y1)

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    pthread_mutex_lock(&x1->lock);          // [S] X
    pthread_mutex_lock(&y1_->lock);         // [W] Y while holding X: X -> Y
    x1->value++; y1_->value++;
    pthread_mutex_unlock(&y1_->lock);
    pthread_mutex_unlock(&x1->lock);
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&y2_->lock);         // [S] Y
    pthread_mutex_lock(&x2->lock);          // [W] X while holding Y: Y -> X
    x2->value++; y2_->value++;
    pthread_mutex_unlock(&x2->lock);
    pthread_mutex_unlock(&y2_->lock);
    return NULL;
}

int main(void)
{
    // One call site each: every X is made in the same place, so X's
    // objects are one class (as y's are).
    struct X *xs[2];
    struct Y *ys[2];
    for (int i = 0; i < 2; i++) { xs[i] = x_new(); ys[i] = y_new(); }
    x1 = xs[0]; x2 = xs[1];
    y1_ = ys[0]; y2_ = ys[1];
    pthread_t t;
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);                  // sequenced: this run completes
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    printf("heap_class_inversion: done %d\n", x1->value + x2->value + y1_->value + y2_->value);
    pthread_mutex_destroy(&x1->lock); pthread_mutex_destroy(&x2->lock);
    pthread_mutex_destroy(&y1_->lock); pthread_mutex_destroy(&y2_->lock);
    free(x1); free(x2); free(y1_); free(y2_);
    return 0;
}
