// dept-example: same_class_rings
// expect: potential
// objects: ring5_init ring13_init ring30_init
// summary: Three rings of node locks (5, 13 and 30 nodes), each ring's nodes initialised in one loop (one class per ring). For each ring, thread k takes node k then node k+1 (the last thread wraps around to node 0); the threads run one after the other, so nothing hangs, but run together they deadlock (dining philosophers). Each ring is one instance-level cycle of its class, of length 5, 13 and 30: three reports.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct ring { int n; pthread_mutex_t *node; };
struct step { struct ring *r; int k; };

static void *philosopher(void *arg)
{
    struct step *s = arg;
    pthread_mutex_t *left = &s->r->node[s->k], *right = &s->r->node[(s->k + 1) % s->r->n];
    pthread_mutex_lock(left);
    pthread_mutex_lock(right);
    pthread_mutex_unlock(right);
    pthread_mutex_unlock(left);
    return NULL;
}

static void dine(struct ring *r)
{
    for (int k = 0; k < r->n; k++) {
        struct step s = { r, k };
        pthread_t t;
        pthread_create(&t, NULL, philosopher, &s);
        pthread_join(t, NULL);
    }
}

// One init loop per ring: one class per ring.
static struct ring *ring_new(int n)
{
    struct ring *r = malloc(sizeof *r);
    r->n = n;
    r->node = calloc(n, sizeof *r->node);
    return r;
}
static struct ring *ring5_init(void)
{
    struct ring *r = ring_new(5);
    for (int i = 0; i < r->n; i++) pthread_mutex_init(&r->node[i], NULL);
    return r;
}
static struct ring *ring13_init(void)
{
    struct ring *r = ring_new(13);
    for (int i = 0; i < r->n; i++) pthread_mutex_init(&r->node[i], NULL);
    return r;
}
static struct ring *ring30_init(void)
{
    struct ring *r = ring_new(30);
    for (int i = 0; i < r->n; i++) pthread_mutex_init(&r->node[i], NULL);
    return r;
}

int main(void)
{
    dine(ring5_init());
    dine(ring13_init());
    dine(ring30_init());
    printf("same_class_rings: done\n");
    return 0;
}
