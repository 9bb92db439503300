// dept-example: hand_over_hand
// expect: silent
// objects: node_new
// summary: Two threads traverse a 100-node list hand-over-hand (lock next before unlocking current), always head to tail; every node lock has the same class (one init site in node_new), same-class nesting in list order is no inversion.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NNODES 100
#define PASSES 200

struct node { pthread_mutex_t lock; long value; struct node *next; };
static struct node *head;

static struct node *node_new(long value)
{
    struct node *n = calloc(1, sizeof *n);
    pthread_mutex_init(&n->lock, NULL);     // single init site: one class for all nodes
    n->value = value;
    return n;
}

static void *walker(void *arg)
{
    long sum = 0;
    pthread_setname_np(pthread_self(), arg ? "ctx-Y" : "ctx-X");
    for (int p = 0; p < PASSES; p++) {
        struct node *cur = head;
        pthread_mutex_lock(&cur->lock);
        while (cur->next) {
            struct node *next = cur->next;
            pthread_mutex_lock(&next->lock);    // node[i] -> node[i+1], always forward
            pthread_mutex_unlock(&cur->lock);
            cur = next;
            cur->value++;
            sum += cur->value;
        }
        pthread_mutex_unlock(&cur->lock);
    }
    return (void *)sum;
}

int main(void)
{
    struct node **tail = &head;
    for (long i = 0; i < NNODES; i++) {
        *tail = node_new(i);
        tail = &(*tail)->next;
    }
    pthread_t x, y;
    pthread_create(&x, NULL, walker, NULL);
    pthread_create(&y, NULL, walker, (void *)1);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    long total = 0;
    for (struct node *n = head, *next; n; n = next) {
        next = n->next;
        total += n->value;
        pthread_mutex_destroy(&n->lock);
        free(n);
    }
    printf("hand_over_hand: done %ld\n", total);
    return 0;
}
