// dept-example: wrapper_split_tree
// expect: silent
// objects: init@wrapper_split_tree.c:16 init@wrapper_split_tree.c:21
// summary: one kind of lock split into two classes by when each was made: every node's lock is made by mutex_new from node_init, called through node_create; the first nodes are made before anything else calls node_init, so dept names their class by node_init (coarse), and the later ones, after the odd direct call, by node_create (refined). A tree nested parent first: an early root with a late child, a late root with an early child. Both classes refine to node_create's: one class nested top down, no report.
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
static void *late_root(void *a) { (void)a; lock_pair(nodes[3], nodes[1]); return NULL; }

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
    pthread_create(&t, NULL, late_root, NULL);
    pthread_join(t, NULL);
    puts("wrapper_split_tree: done");
    return 0;
}
