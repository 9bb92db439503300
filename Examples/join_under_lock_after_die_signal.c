// dept-example: join_under_lock_after_die_signal
// expect: silent
// objects: sout input_cond
// summary: FFmpeg's frame threads closed by VLC: a worker waits on input_cond for packets or the die flag; the decoder thread submits a packet (signals input_cond) while it holds sout; main, holding sout, sets die, signals input_cond and joins the worker, which is still on its way out (it naps before it exits). The worker's wait was ended by main's own signal before the join began, so the join cannot wait for the decoder's signal. Judged while the worker still ran (by its latest wait of any kind), the join under sout was reported; now the cycle waits for the worker's exit and is judged by what ended its wait on input_cond.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t sout = PTHREAD_MUTEX_INITIALIZER;    // VLC's stream output lock
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;       // the frame thread's mutex
static pthread_cond_t input_cond = PTHREAD_COND_INITIALIZER;
static int packets, die;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    for (;;) {
        while (!packets && !die)
            pthread_cond_wait(&input_cond, &m);
        if (die) break;
        packets--;
        pthread_mutex_unlock(&m);
        usleep(1000);                   // decode the packet
        pthread_mutex_lock(&m);
    }
    pthread_mutex_unlock(&m);
    usleep(100 * 1000);                 // on its way out as the join starts
    return NULL;
}

static void *decoder(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        pthread_mutex_lock(&sout);      // the packet is sent under sout
        pthread_mutex_lock(&m);
        packets++;
        pthread_cond_signal(&input_cond);
        pthread_mutex_unlock(&m);
        pthread_mutex_unlock(&sout);
        usleep(5000);
    }
    return NULL;
}

int main(void)
{
    pthread_t w, d;
    pthread_create(&w, NULL, worker, NULL);
    pthread_create(&d, NULL, decoder, NULL);
    pthread_join(d, NULL);
    usleep(20 * 1000);                  // the worker is back in its wait
    pthread_mutex_lock(&sout);          // close, under sout
    pthread_mutex_lock(&m);
    die = 1;
    pthread_cond_signal(&input_cond);   // wakes the worker: its wait is over
    pthread_mutex_unlock(&m);
    pthread_join(w, NULL);              // ... before this join starts
    pthread_mutex_unlock(&sout);
    puts("join_under_lock_after_die_signal: done");
    return 0;
}
