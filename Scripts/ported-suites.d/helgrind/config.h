/* Port stub of valgrind's configure-generated config.h: only what the
   helgrind/drd tests consult (gcc 12, glibc 2.36, amd64 Linux). */
#define HAVE_BUILTIN_ATOMIC 1
#define HAVE_BUILTIN_ATOMIC_CXX 1
#define HAVE_TLS 1
#define HAVE_PTHREAD_BARRIER_INIT 1
#define HAVE_PTHREAD_SPIN_LOCK 1
#define HAVE_PTHREAD_MUTEX_TIMEDLOCK 1
#define HAVE_PTHREAD_RWLOCK_T 1
#define HAVE_PTHREAD_RWLOCK_TIMEDRDLOCK 1
#define HAVE_PTHREAD_RWLOCK_TIMEDWRLOCK 1
