/* Port shim: the TSan runtime entry points the LLVM tsan tests call, as a
   shared library the test binaries link against.  Everything is a no-op
   except the test-only invisible barrier (a spin barrier on atomics, so
   that, as in TSan, it is invisible to the tool: no futex, no pthread call)
   and __tsan_simulate (runs the callback once).  Because the binaries get
   these from a shared library, an LD_PRELOADed dept interposes the
   __tsan_mutex_* annotation API it implements. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <stdint.h>

#define kBarrierThreadBits 10
#define kBarrierThreads (1u << kBarrierThreadBits)
static unsigned barrier_epoch(unsigned v) {
  return (v >> kBarrierThreadBits) / (v & (kBarrierThreads - 1));
}
void __tsan_testonly_barrier_init(unsigned *b, unsigned count) {
  if (count == 0 || count >= kBarrierThreads) abort();
  __atomic_store_n(b, count, __ATOMIC_SEQ_CST);
}
void __tsan_testonly_barrier_wait(unsigned *b) {
  unsigned old = __atomic_fetch_add(b, kBarrierThreads, __ATOMIC_SEQ_CST);
  unsigned old_epoch = barrier_epoch(old);
  if (barrier_epoch(old + kBarrierThreads) != old_epoch) return;
  for (;;) {
    unsigned cur = __atomic_load_n(b, __ATOMIC_SEQ_CST);
    if (barrier_epoch(cur) != old_epoch) return;
    sched_yield();
  }
}
unsigned long __tsan_testonly_shadow_stack_current_size(void) { return 0; }

/* Annotation API (dept implements these; LD_PRELOAD wins over this). */
void __tsan_mutex_create(void *a, unsigned f) {}
void __tsan_mutex_destroy(void *a, unsigned f) {}
void __tsan_mutex_pre_lock(void *a, unsigned f) {}
void __tsan_mutex_post_lock(void *a, unsigned f, int r) {}
int __tsan_mutex_pre_unlock(void *a, unsigned f) { return 0; }
void __tsan_mutex_post_unlock(void *a, unsigned f) {}
void __tsan_mutex_pre_signal(void *a, unsigned f) {}
void __tsan_mutex_post_signal(void *a, unsigned f) {}
void __tsan_mutex_pre_divert(void *a, unsigned f) {}
void __tsan_mutex_post_divert(void *a, unsigned f) {}
void __tsan_acquire(void *a) {}
void __tsan_release(void *a) {}

void __tsan_check_no_mutexes_held(void) {}
int __tsan_simulate(void (*cb)(void *), void *arg) { cb(arg); return 0; }
void *__tsan_get_current_report(void) { return 0; }
int __tsan_get_report_data(void *r, const char **d, int *c, int *sc, int *mc,
                           int *lc, int *mxc, int *tc, int *utc, void **st,
                           unsigned long n) { return 0; }
int __tsan_get_report_stack(void *r, uintptr_t i, void **t, uintptr_t n) { return 0; }
int __tsan_get_report_mutex(void *r, uintptr_t i, uintptr_t *id, void **a,
                            int *d, void **t, uintptr_t n) { return 0; }

/* Dynamic annotations. */
void AnnotateThreadName(const char *f, int l, const char *name) {}
void AnnotateRWLockCreate(const char *f, int l, void *m) {}
void AnnotateRWLockCreateStatic(const char *f, int l, void *m) {}
void AnnotateRWLockDestroy(const char *f, int l, void *m) {}
void AnnotateRWLockAcquired(const char *f, int l, void *m, long w) {}
void AnnotateRWLockReleased(const char *f, int l, void *m, long w) {}
void AnnotateIgnoreReadsBegin(const char *f, int l) {}
void AnnotateIgnoreReadsEnd(const char *f, int l) {}
void AnnotateIgnoreWritesBegin(const char *f, int l) {}
void AnnotateIgnoreWritesEnd(const char *f, int l) {}
void AnnotateIgnoreSyncBegin(const char *f, int l) {}
void AnnotateIgnoreSyncEnd(const char *f, int l) {}
void AnnotateHappensBefore(const char *f, int l, void *a) {}
void AnnotateHappensAfter(const char *f, int l, void *a) {}
void AnnotateBenignRaceSized(const char *f, int l, const volatile void *m,
                             unsigned s, const char *d) {}
void WTFAnnotateBenignRaceSized(const char *f, int l, const volatile void *m,
                                unsigned s, const char *d) {}

/* Java runtime interface. */
typedef unsigned long jptr;
void __tsan_java_preinit(const char *p) {}
void __tsan_java_init(jptr b, jptr s) {}
int __tsan_java_fini(void) { return 0; }
void __tsan_java_alloc(jptr p, jptr s) {}
void __tsan_java_free(jptr p, jptr s) {}
jptr __tsan_java_find(jptr *f, jptr t) { return 0; }
void __tsan_java_move(jptr s, jptr d, jptr n) {}
void __tsan_java_finalize(void) {}
/* Java monitors: only the recursion count is kept, so that
   __tsan_java_mutex_unlock_rec returns what TSan would (the tests check it). */
static struct { jptr addr; int rec; } jmon[256];
static char jmon_lock;
static int *jmon_rec(jptr a) {
  int i, free_i = -1;
  for (i = 0; i < 256; i++) {
    if (jmon[i].addr == a) return &jmon[i].rec;
    if (free_i < 0 && jmon[i].addr == 0) free_i = i;
  }
  if (free_i < 0) abort();
  jmon[free_i].addr = a;
  return &jmon[free_i].rec;
}
static void jmon_add(jptr a, int d) {
  while (__atomic_exchange_n(&jmon_lock, 1, __ATOMIC_ACQUIRE)) sched_yield();
  *jmon_rec(a) += d;
  __atomic_store_n(&jmon_lock, 0, __ATOMIC_RELEASE);
}
void __tsan_java_mutex_lock(jptr a) { jmon_add(a, 1); }
void __tsan_java_mutex_unlock(jptr a) { jmon_add(a, -1); }
void __tsan_java_mutex_read_lock(jptr a) {}
void __tsan_java_mutex_read_unlock(jptr a) {}
void __tsan_java_mutex_lock_rec(jptr a, int r) { jmon_add(a, r); }
int __tsan_java_mutex_unlock_rec(jptr a) {
  int r;
  while (__atomic_exchange_n(&jmon_lock, 1, __ATOMIC_ACQUIRE)) sched_yield();
  r = *jmon_rec(a);
  *jmon_rec(a) = 0;
  __atomic_store_n(&jmon_lock, 0, __ATOMIC_RELEASE);
  return r;
}
int __tsan_java_acquire(jptr a) { return 0; }
int __tsan_java_release(jptr a) { return 0; }
int __tsan_java_release_store(jptr a) { return 0; }
void __tsan_read1_pc(jptr a, jptr pc) {}
void __tsan_write1_pc(jptr a, jptr pc) {}
void __tsan_func_entry(jptr pc) {}
void __tsan_func_exit(void) {}
