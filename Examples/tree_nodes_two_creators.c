// dept-example: tree_nodes_two_creators
// expect: silent
// objects: init@tree_nodes_two_creators.c:18
// summary: GObject's shape: every node's lock is made on one line of node_init, which a generic object_create calls through the type's init pointer (as g_type_create_instance calls instance_init), and object_create is called by node_load and by node_new. A loaded root with a made child, and a made root with a loaded child, each locked parent first. One kind of lock nested top down in a tree: no report. Classed by the frames past the init pointer, the locks of loaded and made nodes were two classes taken in both orders.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct node { pthread_mutex_t *lock; struct node *child; };
struct type { size_t size; void (*init)(struct node *); };

__attribute__((noinline)) static pthread_mutex_t *mutex_new(void) {
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m || pthread_mutex_init(m, NULL) != 0) abort();
    return m;
}
// Two kinds of objects make their locks with the same helper.
__attribute__((noinline)) static void node_init(struct node *n) { n->lock = mutex_new(); __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) static void queue_init(struct node *n) { n->lock = mutex_new(); __asm__ volatile("" ::: "memory"); }
static const struct type node_type = { sizeof(struct node), node_init };
static const struct type queue_type = { sizeof(struct node), queue_init };

// Knows nothing of what it makes: the type's init says.
__attribute__((noinline)) static struct node *object_create(const struct type *t) {
    struct node *n = calloc(1, t->size);
    if (!n) abort();
    t->init(n);
    __asm__ volatile("" ::: "memory");
    return n;
}
__attribute__((noinline)) static struct node *node_load(void) { struct node *n = object_create(&node_type); __asm__ volatile("" ::: "memory"); return n; }
__attribute__((noinline)) static struct node *node_new(void) { struct node *n = object_create(&node_type); __asm__ volatile("" ::: "memory"); return n; }

static void lock_subtree(struct node *parent) {
    pthread_mutex_lock(parent->lock);
    pthread_mutex_lock(parent->child->lock);
    pthread_mutex_unlock(parent->child->lock);
    pthread_mutex_unlock(parent->lock);
}

static void *walk(void *root) { lock_subtree(root); return NULL; }

int main(void) {
    object_create(&queue_type);
    object_create(&queue_type);
    // Nodes read from a file and nodes made anew, each creator called from
    // one place; the first ones show dept that object_create's callers vary.
    struct node *loaded[3], *made[3];
    for (int i = 0; i < 3; i++) {
        loaded[i] = node_load();
        made[i] = node_new();
    }
    struct node *root_loaded = loaded[1], *child_made = made[1];
    struct node *root_made = made[2], *child_loaded = loaded[2];
    root_loaded->child = child_made;
    root_made->child = child_loaded;
    pthread_t t;
    pthread_create(&t, NULL, walk, root_loaded);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, walk, root_made);
    pthread_join(t, NULL);
    puts("tree_nodes_two_creators: done");
    return 0;
}
