// dept-example: wrapper_split_tree_abba
// expect: potential
// objects: init@wrapper_split_tree_abba.c:16 init@wrapper_split_tree_abba.c:21
// summary: the nearest real deadlock to wrapper_split_tree: the same nodes made the same way, but the second thread takes the early root's child and then the early root, the same two locks in the opposite order. Reported.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct node { pthread_mutex_t *lock; };

__attribute__((noinline)) static pthread_mutex_t *mutex_new(void) {
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m || pthread_mutex_init(m, NULL) != 0) abort();
    return m;
}
__attribute__((noinline)) static void node_init(struct node *n) { n->lock = mutex_new(); __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) static void queue_init(struct node *n) { n->lock = mutex_new(); __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) static struct node *node_create(void) {
    struct node *n = calloc(1, sizeof *n);
    if (!n) abort();
    node_init(n);
    __asm__ volatile("" ::: "memory");
    return n;
}

static struct node *nodes[4];

static void lock_pair(struct node *parent, struct node *child) {
    pthread_mutex_lock(parent->lock);
    pthread_mutex_lock(child->lock);
    pthread_mutex_unlock(child->lock);
    pthread_mutex_unlock(parent->lock);
}

static void *early_root(void *a) { (void)a; lock_pair(nodes[0], nodes[2]); return NULL; }
static void *child_first(void *a) { (void)a; lock_pair(nodes[2], nodes[0]); return NULL; }

int main(void) {
    struct node queues[3], odd;
    for (int i = 0; i < 3; i++) queue_init(&queues[i]);
    for (int i = 0; i < 4; i++) {
        // node_init's other caller: from here on a node's class is named
        // past node_init.
        if (i == 2) node_init(&odd);
        nodes[i] = node_create();
    }
    pthread_t t;
    pthread_create(&t, NULL, early_root, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, child_first, NULL);
    pthread_join(t, NULL);
    puts("wrapper_split_tree_abba: done");
    return 0;
}
