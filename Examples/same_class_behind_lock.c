// dept-example: same_class_behind_lock
// expect: potential
// objects: node_new
// summary: All node locks share one class (one init site in node_new). Thread 1 takes node 0, then trylocks the static lock B (a trylock never waits: no node-to-B dependency, so no class-level cycle), then takes node 2; then the same with node 1 in place of node 0 (same call sites, same classes held). Thread 2, later, takes node 2 then node 1. Nodes 1 and 2 are taken in both orders, a real inversion that only the instance pairs show: the second pass must reach the core although only B, not a node, is the innermost lock.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct node { pthread_mutex_t lock; long value; };
static struct node *nodes[3];
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

static struct node *node_new(void)
{
    struct node *n = calloc(1, sizeof *n);
    pthread_mutex_init(&n->lock, NULL);     // the one init site: one class for every node
    return n;
}

static void *ctx_x(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-X");
    for (int k = 0; k < 2; k++) {
        pthread_mutex_lock(&nodes[k]->lock);
        if (pthread_mutex_trylock(&B) != 0) abort();   // uncontended: never fails here
        pthread_mutex_lock(&nodes[2]->lock);
        nodes[2]->value += nodes[k]->value;
        pthread_mutex_unlock(&nodes[2]->lock);
        pthread_mutex_unlock(&B);
        pthread_mutex_unlock(&nodes[k]->lock);
    }
    return NULL;
}

static void *ctx_y(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ctx-Y");
    pthread_mutex_lock(&nodes[2]->lock);
    pthread_mutex_lock(&nodes[1]->lock);
    nodes[1]->value += nodes[2]->value;
    pthread_mutex_unlock(&nodes[1]->lock);
    pthread_mutex_unlock(&nodes[2]->lock);
    return NULL;
}

int main(void)
{
    for (int i = 0; i < 3; i++) { nodes[i] = node_new(); nodes[i]->value = i + 1; }
    pthread_t t;
    // Sequenced by the joins: the run itself never deadlocks.
    pthread_create(&t, NULL, ctx_x, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, ctx_y, NULL);
    pthread_join(t, NULL);
    printf("same_class_behind_lock: done %ld %ld\n", nodes[1]->value, nodes[2]->value);
    return 0;
}
