// core_abi.h - entry points of the Swift core, seen from the shim only.
// Kept out of the public header so Swift does not import the declarations
// of the functions it defines itself with @_cdecl.
#ifndef DEPT_CORE_ABI_H
#define DEPT_CORE_ABI_H
#include "dept_shim.h"

// ---- The core (implemented in Swift with @_cdecl; called by the shim) ----
// Each is entered on a slow path only, with the per-thread re-entry guard
// set, so that locks taken inside the core (malloc's) pass straight
// through the hooks.

void dept_core_init(const char *options, struct dept_config *config);
uint32_t dept_core_intern_stack(const uintptr_t *pcs, uint32_t count);
/// Interns a vector clock (clocks.h) for later observations to name; 0 for
/// an empty one.
uint32_t dept_core_intern_clock(const uint32_t *vc, uint32_t count);
/// prefix/nprefix: the init call string frames that name the class (0 for a
/// static or first-use class). object: for a class of explicitly
/// initialised objects in static storage, the first one's address (its
/// symbol names the class); else 0.
void dept_core_class(uint32_t cls, uint32_t obj_kind, uint32_t key_kind, uintptr_t key, uint32_t stack,
                     const uintptr_t *prefix, uint32_t nprefix, uintptr_t object);
/// Instance `inst` was initialised along call string pcs (frame 0: the init
/// call site; the first `seed` frames in a known wrapper library; frame
/// `cut`, when not 0, the first one after a call through a function
/// pointer); returns how many frames name its class, and in
/// *generation a number that changes whenever that answer may change for
/// some string.
uint32_t dept_core_init_callstring(uint32_t inst, const uintptr_t *pcs, uint32_t n, int32_t seed, uint32_t cut,
                                   uint32_t *generation);
/// A lock call site became a lock wrapper's (lock_sites.c): pcs are the
/// wrapper's own frames, the call site first.
void dept_core_lock_wrapper(const uintptr_t *pcs, uint32_t n);
/// That wrapper's acquisitions are named by its call site again (stats).
void dept_core_lock_wrapper_crowded(void);
/// `reused_after`: the slot's previous thread's last time when that thread
/// had ended unknown to this one (an era boundary, clocks.h), else 0.
void dept_core_thread(uint32_t tid, uint32_t parent, uint32_t create_stack, int32_t os_tid, uint32_t slot,
                      uint32_t reused_after);
void dept_core_thread_name(uint32_t tid, const char *name);
/// ended/nended: the thread's latest wait on each object it waited on lately
/// (not lock acquisitions), with what ended it (HappensBefore for its joiners).
/// waited_at/nwaited: its clk_waited_at buckets (times in last_wait's slot).
void dept_core_thread_exit(uint32_t tid, const struct dept_held *held, uint32_t count, struct dept_epoch last_wait,
                           const struct dept_history_view *ended, uint32_t nended, const uint32_t *waited_at,
                           uint32_t nwaited);
/// vc/nvc: the waiting thread's clock, for a wait for a signal, post, write
/// or thread exit (clocks.h); NULL/0 otherwise.
void dept_core_wait(uint32_t tid, const struct dept_held *held, uint32_t count, const struct dept_wait *wait,
                    const uint32_t *vc, uint32_t nvc);
void dept_core_event(uint32_t tid, const struct dept_event *event, const struct dept_held *held, uint32_t nheld,
                     const struct dept_history_view *history, uint32_t nhistory, uint32_t window_active,
                     uint64_t window_start);
void dept_core_dependency(uint32_t tid, const struct dept_held *from, const struct dept_wait *wait,
                          const uint32_t *gates, uint32_t ngates);
/// `proven`: a deadlock is known to exist now (the kernel said so): waits
/// count however short, and only a deadlock verdict is reported.
/// `quiet_ms`: what dept_core_quiet_sample last returned (UINT32_MAX:
/// unknown). `waits_for_input`: 1 when a thread is blocked waiting for
/// input on a descriptor (asked only when a stall could be due, else 0).
int32_t dept_core_live_check(const struct dept_live_thread *threads, uint32_t n, const struct dept_held *held,
                             uint32_t untracked, const struct dept_waker *wakers, uint32_t nwakers,
                             uint32_t proven, uint32_t quiet_ms, uint32_t waits_for_input);
/// The monitor's look at the CPU time the process used outside the monitor
/// thread, at monotonic time `now_ns`: for how many ms the process has been
/// quiet (DeptCore's ProcessQuiet). Called at every look of the monitor,
/// under its check lock and not the core's.
uint32_t dept_core_quiet_sample(uint64_t others_cpu_ns, uint64_t now_ns);
/// The blocked-thread dump of a process that is being ended (`why`: "when
/// the process got SIGTERM"), or the live report its state proves.
void dept_core_live_dump(const struct dept_live_thread *threads, uint32_t n, const struct dept_held *held,
                         uint32_t untracked, const struct dept_waker *wakers, uint32_t nwakers, const char *why);
void dept_core_event_site(uint32_t tid, uint32_t cls, uint32_t op, uint32_t stack);
/// A signal, post or write of class `cls` made at call site `site` for the
/// first time (OR-waits: who can wake a waiter of the class).
void dept_core_trigger_site(uint32_t cls, uintptr_t site);
void dept_core_warning(uint32_t kind, uint32_t tid, uint32_t cls, uint32_t stack);
/// Futex words of class `cls` behave as locks (lock_takes.c): cycles held
/// back on its wakes are judged again.
void dept_core_futex_lock_class(uint32_t cls);
/// The process ends: the cycles still held back are queued as reports.
void dept_core_release_held_back(void);
/// `semaphore_waits_dropped`: waits made under a binary semaphore that a
/// thread's buffer of undecided ones had no room for; `short_stack_skips`:
/// waits and events of threads whose stacks had no room for the core
/// (model.c); for the `stats=1` lines.
int32_t dept_core_at_exit(uint64_t semaphore_waits_dropped, uint64_t short_stack_skips);
/// The process ends with `status` (exit, return from main, _exit): the
/// `DEPT: info:` exit line `dept run` tells crashed processes apart with.
void dept_core_exiting(int32_t status);
void dept_core_after_fork_child(uint32_t surviving_tid);
/// Prints queued reports; called without the core lock.
void dept_core_flush(void);

#endif
