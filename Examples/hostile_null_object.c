// dept-example: hostile_null_object
// expect: silent
// objects: NULL
// summary: Each of six children calls one primitive on a NULL object (pthread_mutex_lock, pthread_mutex_unlock, pthread_rwlock_rdlock, sem_post, pthread_cond_signal, pthread_spin_lock), which crashes in glibc; the parent prints how each child ended. Under dept each must crash the same way (SIGSEGV), never hang (an alarm(5) in the child would say SIGALRM).
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *worker(void *arg)
{
    int which = (int)(long)arg;
    switch (which) {
    case 0: pthread_mutex_lock(NULL); break;
    case 1: pthread_mutex_unlock(NULL); break;
    case 2: pthread_rwlock_rdlock(NULL); break;
    case 3: sem_post(NULL); break;
    case 4: pthread_cond_signal(NULL); break;
    case 5: pthread_spin_lock(NULL); break;
    }
    return NULL;
}

int main(void)
{
    static const char *names[] = { "pthread_mutex_lock", "pthread_mutex_unlock", "pthread_rwlock_rdlock",
                                   "sem_post", "pthread_cond_signal", "pthread_spin_lock" };
    alarm(10);                              // safety only
    for (int i = 0; i < 6; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            alarm(5);
            pthread_t t;                    // in a thread, as programs do
            pthread_create(&t, NULL, worker, (void *)(long)i);
            pthread_join(t, NULL);
            _exit(0);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st)) printf("%s(NULL): %s\n", names[i], strsignal(WTERMSIG(st)));
        else printf("%s(NULL): exit %d\n", names[i], WEXITSTATUS(st));
    }
    puts("hostile_null_object: done");
    return 0;
}
