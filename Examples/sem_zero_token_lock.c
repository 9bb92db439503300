// dept-example: sem_zero_token_lock
// expect: silent
// objects: token sout buffers
// summary: A semaphore made with no token is passed around like a lock, as VLC's avcodec decoder does with FFmpeg's frame threads: the decoder makes token (0) while it holds sout, posts it to let the frame threads call back while it opens, and waits for it back; then it posts it around each decode step. Each frame thread takes buffers, waits for the token, posts it back and releases buffers; main takes sout then buffers once (a flush). Every post gives back a token its own thread took (or, the decoder's first, the token it made) inside the locks it still holds, so no waiter holding those locks can be waiting for it: no cycle. Before, dept reported two: the frame threads' post under buffers against a frame thread's wait under buffers, and the decoder's first post under sout against main's sout -> buffers and a frame thread's wait under buffers.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static sem_t token;
static pthread_mutex_t sout = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t buffers = PTHREAD_MUTEX_INITIALIZER;
static atomic_int stop, opened;

static void *frame_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        pthread_mutex_lock(&buffers);
        sem_wait(&token);               // the get_buffer callback takes the token
        sem_post(&token);               // ... and gives it back, still under buffers
        pthread_mutex_unlock(&buffers);
        usleep(200);
    }
    return NULL;
}

static void *decoder(void *arg)
{
    (void)arg;
    pthread_t f[2];
    pthread_mutex_lock(&sout);          // opened under the stream output's lock
    sem_init(&token, 0, 0);             // made with no token: the decoder holds it
    sem_post(&token);                   // frame threads may call back while it opens
    for (int i = 0; i < 2; i++) pthread_create(&f[i], NULL, frame_thread, NULL);
    usleep(2000);
    sem_wait(&token);
    pthread_mutex_unlock(&sout);
    atomic_store(&opened, 1);
    for (int i = 0; i < 100; i++) {     // each decode step lends the token out
        sem_post(&token);
        usleep(300);
        sem_wait(&token);
    }
    atomic_store(&stop, 1);
    sem_post(&token);                   // close: the frame threads may finish
    for (int i = 0; i < 2; i++) pthread_join(f[i], NULL);
    sem_destroy(&token);
    return NULL;
}

int main(void)
{
    pthread_t d;
    pthread_create(&d, NULL, decoder, NULL);
    while (!atomic_load(&opened)) usleep(100);
    pthread_mutex_lock(&sout);          // a flush: sout, then the codec's buffers
    pthread_mutex_lock(&buffers);
    pthread_mutex_unlock(&buffers);
    pthread_mutex_unlock(&sout);
    pthread_join(d, NULL);
    puts("sem_zero_token_lock: done");
    return 0;
}
