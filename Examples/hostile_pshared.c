// dept-example: hostile_pshared
// expect: silent
// objects: shm
// summary: a process-shared mutex pair (m1 -> m2, always in that order), a process-shared binary semaphore and a counting semaphore in MAP_SHARED|MAP_ANONYMOUS memory, used by a parent and its forked child; in one phase the parent blocks for 1.6 s on m1 while the child (another process, making progress) holds it; no report.
//
// Hostile because: the owner of a pshared lock may live in another process,
// so this process can look "stuck" (its only thread blocked, no local
// owner) for longer than hang_ms while the system as a whole progresses;
// and the child's dept state is a copy of the parent's, with the same object
// addresses.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5000

struct shm {
    pthread_mutex_t m1, m2;
    sem_t bin;            // binary semaphore used as a lock by both processes
    sem_t locked;         // child -> parent: "I hold m1 now"
    sem_t parent_done;    // parent -> child: "my rounds are over"
    long counter;         // guarded by m1 + m2
    long sem_counter;     // guarded by bin
};

static struct shm *shm;

static void rounds(void)
{
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&shm->m1);
        pthread_mutex_lock(&shm->m2);
        shm->counter++;
        pthread_mutex_unlock(&shm->m2);
        pthread_mutex_unlock(&shm->m1);
        while (sem_wait(&shm->bin) != 0 && errno == EINTR) {}
        shm->sem_counter++;
        sem_post(&shm->bin);
    }
}

int main(void)
{
    alarm(10);
    shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED) { perror("mmap"); return 2; }
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&shm->m1, &ma);
    pthread_mutex_init(&shm->m2, &ma);
    pthread_mutexattr_destroy(&ma);
    sem_init(&shm->bin, 1, 1);
    sem_init(&shm->locked, 1, 0);
    sem_init(&shm->parent_done, 1, 0);

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        alarm(10);
        rounds();
        while (sem_wait(&shm->parent_done) != 0 && errno == EINTR) {}
        // Phase 2: hold m1 for 1.6 s while the parent blocks on it.
        pthread_mutex_lock(&shm->m1);
        sem_post(&shm->locked);
        struct timespec ts = { 1, 600 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        shm->counter += 1000;
        pthread_mutex_unlock(&shm->m1);
        exit(0);
    }
    rounds();
    sem_post(&shm->parent_done);
    while (sem_wait(&shm->locked) != 0 && errno == EINTR) {}
    pthread_mutex_lock(&shm->m1);         // blocks ~1.6 s: the owner is the child process
    pthread_mutex_lock(&shm->m2);
    long c = shm->counter;
    pthread_mutex_unlock(&shm->m2);
    pthread_mutex_unlock(&shm->m1);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    printf("hostile_pshared: done, counter=%ld sem_counter=%ld child=%d\n", c, shm->sem_counter,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
