/* dept.h - tell dept about synchronisation it cannot see.
 *
 * dept (LD_PRELOAD=libdept.so) intercepts the pthread, C11 and futex calls
 * of unmodified programs. A primitive of the program's own (a lock spinning
 * on an atomic, a completion built on a futex word the program waits on
 * through inline assembly, a lock whose uncontended path never calls the
 * kernel) is invisible to it unless annotated, in the terms of the Linux
 * kernel's DEPT:
 *
 *   wait  [W]  a point where a thread may sleep until an event of an object;
 *   event [E]  what wakes such a waiter (a release, complete(), a wake-up);
 *   event context [S]..[E]  what a thread is inside of until it triggers
 *              the event (a lock it holds, until it releases it).
 *
 * A lock:        lock:    dept_wait_begin(l, DEPT_LOCK);
 *                         ...acquire...
 *                         dept_wait_end(l);
 *                         dept_ecxt_enter(l, 0);
 *                trylock: if acquired, dept_ecxt_enter(l, DEPT_TRY);
 *                unlock:  ...release...; dept_ecxt_exit(l, 0);
 * A completion:  wait:    dept_wait_begin(c, 0); ...sleep...; dept_wait_end(c);
 *                done:    dept_event(c, 0); ...wake the waiters...
 *
 * Mark every acquisition, contended or not: a wait counts when it *may*
 * sleep, which is how a deadlock is predicted from a run that went fine.
 * A thread between dept_wait_begin and dept_wait_end counts as blocked for
 * the hang monitor.
 *
 * Classes: objects of one class share one node of the dependency graph (as
 * lockdep classes do). dept_map_init(obj, &key) puts obj in the class of a
 * static `struct dept_key` (reports name the class by the key's symbol);
 * with a NULL key, or without dept_map_init, the class is the call site,
 * as for pthread_mutex_init. Call dept_map_destroy(obj) before its memory
 * is reused for another object.
 *
 * Without dept: every entry point is a weak symbol, NULL unless libdept.so
 * is loaded, and each macro tests it first, so a program built with this
 * header links and runs without dept and pays one test and branch per call.
 * The program must be position-independent (PIE, the default on current
 * distributions, or -fPIC): a non-PIC executable has its weak references
 * resolved to NULL at link time, and the annotations stay no-ops.
 *
 * From Swift: the static inline functions below have the names of the
 * macros (Swift imports the functions, C and C++ use the macros); build
 * with `-I <dept>/include/dept` and `import Dept` (include/dept/module.modulemap).
 *
 * ThreadSanitizer's mutex annotations (__tsan_mutex_create, _pre_lock,
 * _post_lock, _pre_unlock, _post_unlock, _pre_signal, ...) mean the same to
 * dept: a program annotated for TSan is understood as it is. They are
 * declared here too, weak, with TSan's prototypes.
 */
#ifndef DEPT_H
#define DEPT_H

#ifdef __cplusplus
extern "C" {
#endif

/* A class of objects: define one, static, per kind of object. */
struct dept_key { char dept_key_unused; };

/* Flags. */
#define DEPT_LOCK      0x1u   /* dept_wait_begin: a lock acquisition: it waits for a holder's release */
#define DEPT_SHARED    0x2u   /* a shared (read) acquisition: waits for exclusive holders only */
#define DEPT_TRY       0x4u   /* dept_ecxt_enter: acquired without waiting (trylock) */
#define DEPT_TIMED     0x8u   /* the wait can time out: never part of a deadlock */
#define DEPT_RECURSIVE 0x10u  /* dept_ecxt_enter: re-entering a lock the thread holds counts once more */

/* The entry points. `pc` is the call site, NULL for the caller of the entry
 * point itself. */
extern void __dept_map_init(const void *obj, const struct dept_key *key, const void *pc) __attribute__((weak));
extern void __dept_map_destroy(const void *obj) __attribute__((weak));
extern void __dept_wait_begin(const void *obj, unsigned flags, const void *pc) __attribute__((weak));
extern void __dept_wait_end(const void *obj) __attribute__((weak));
extern void __dept_ecxt_enter(const void *obj, unsigned flags, const void *pc) __attribute__((weak));
extern void __dept_ecxt_exit(const void *obj, unsigned flags, const void *pc) __attribute__((weak));
extern void __dept_event(const void *obj, unsigned flags, const void *pc) __attribute__((weak));

/* For Swift. Inlined into the caller, so the call site they pass is where
 * the caller returns to: the frame that called the annotated primitive. */
static inline __attribute__((always_inline)) void dept_map_init(const void *obj, const struct dept_key *key) {
    if (__dept_map_init) __dept_map_init(obj, key, __builtin_return_address(0));
}
static inline __attribute__((always_inline)) void dept_map_destroy(const void *obj) {
    if (__dept_map_destroy) __dept_map_destroy(obj);
}
static inline __attribute__((always_inline)) void dept_wait_begin(const void *obj, unsigned flags) {
    if (__dept_wait_begin) __dept_wait_begin(obj, flags, __builtin_return_address(0));
}
static inline __attribute__((always_inline)) void dept_wait_end(const void *obj) {
    if (__dept_wait_end) __dept_wait_end(obj);
}
static inline __attribute__((always_inline)) void dept_ecxt_enter(const void *obj, unsigned flags) {
    if (__dept_ecxt_enter) __dept_ecxt_enter(obj, flags, __builtin_return_address(0));
}
static inline __attribute__((always_inline)) void dept_ecxt_exit(const void *obj, unsigned flags) {
    if (__dept_ecxt_exit) __dept_ecxt_exit(obj, flags, __builtin_return_address(0));
}
static inline __attribute__((always_inline)) void dept_event(const void *obj, unsigned flags) {
    if (__dept_event) __dept_event(obj, flags, __builtin_return_address(0));
}

/* For C and C++: the call site is exactly the macro's. */
#define dept_map_init(obj, key)    (__dept_map_init ? __dept_map_init((obj), (key), 0) : (void)0)
#define dept_map_destroy(obj)      (__dept_map_destroy ? __dept_map_destroy(obj) : (void)0)
#define dept_wait_begin(obj, f)    (__dept_wait_begin ? __dept_wait_begin((obj), (f), 0) : (void)0)
#define dept_wait_end(obj)         (__dept_wait_end ? __dept_wait_end(obj) : (void)0)
#define dept_ecxt_enter(obj, f)    (__dept_ecxt_enter ? __dept_ecxt_enter((obj), (f), 0) : (void)0)
#define dept_ecxt_exit(obj, f)     (__dept_ecxt_exit ? __dept_ecxt_exit((obj), (f), 0) : (void)0)
#define dept_event(obj, f)         (__dept_event ? __dept_event((obj), (f), 0) : (void)0)

/* ThreadSanitizer's mutex annotations (flags as in <sanitizer/tsan_interface.h>).
 * Call them only after testing the symbol (`if (__tsan_mutex_pre_lock) ...`)
 * unless the program always runs under dept or TSan. */
extern void __tsan_mutex_create(void *addr, unsigned flags) __attribute__((weak));
extern void __tsan_mutex_destroy(void *addr, unsigned flags) __attribute__((weak));
extern void __tsan_mutex_pre_lock(void *addr, unsigned flags) __attribute__((weak));
extern void __tsan_mutex_post_lock(void *addr, unsigned flags, int recursion) __attribute__((weak));
extern int __tsan_mutex_pre_unlock(void *addr, unsigned flags) __attribute__((weak));
extern void __tsan_mutex_post_unlock(void *addr, unsigned flags) __attribute__((weak));
extern void __tsan_mutex_pre_signal(void *addr, unsigned flags) __attribute__((weak));
extern void __tsan_mutex_post_signal(void *addr, unsigned flags) __attribute__((weak));
extern void __tsan_mutex_pre_divert(void *addr, unsigned flags) __attribute__((weak));
extern void __tsan_mutex_post_divert(void *addr, unsigned flags) __attribute__((weak));

#ifdef __cplusplus
}
#endif
#endif
