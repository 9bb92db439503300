// clocks.h - vector clocks over hard edges (DeptCore/HappensBefore.swift).
//
// Glossary: a thread's *slot* indexes every vector clock; its *time* counts
// its hard releases (create, exit, a signal/post/write with waiters blocked,
// a signal under a mutex); a *vc* maps slots to times. A slot is reused by
// a later thread, whose times start above its predecessor's last one, so an
// old entry never vouches for the new thread's events. The other way round
// holds only if the new thread's start knew the old one's end: otherwise an
// entry of the new thread's time would vouch for the old thread's events
// it never saw. Such a reuse is an *era* boundary, which the core is told
// of (SlotEras) and which no meet of two clocks may straddle.
//
// Nothing here runs on the lock fast path: its only clock words are the
// thread's `clk_waited` flag, which tells the next hard release that the
// thread waited since the previous one, and the bucket of the lock in
// `clk_waited_at`, the time of the thread's latest wait there
// (dept_clock_waited, shim.h).
//
// All functions take the calling thread's record and run inside dept (the
// re-entry guard set), except where noted.
#ifndef DEPT_CLOCKS_H
#define DEPT_CLOCKS_H
#include "shim.h"

/// A thread starts: it gets a slot, and knows what `start` (its body, which
/// holds its creator's clock at pthread_create; or nothing) knew. Sets
/// t->clk_reused_after when the slot's previous thread had ended unknown
/// to it (clocks.c says why that matters).
DEPT_HIDDEN void dept_clock_thread_start(struct dept_thread *t, struct dept_sync *start);
/// The thread is gone: its slot becomes reusable. Its last clock must have
/// been published (dept_clock_exit) first.
DEPT_HIDDEN void dept_clock_thread_end(struct dept_thread *t);
/// After a hard release by t: the time of its latest wait is settled, and
/// its later events are not covered by what it released.
DEPT_HIDDEN void dept_clock_tick(struct dept_thread *t);
/// The epoch of t's latest wait (0 time when it never waited).
DEPT_HIDDEN struct dept_epoch dept_clock_last_wait(const struct dept_thread *t);
/// The epoch t is at now.
static inline struct dept_epoch dept_clock_now(const struct dept_thread *t) {
    return (struct dept_epoch){ t->clk_slot, t->clk_time };
}

// ---- objects a clock is released into (struct dept_sync) ----------------
// A condvar, semaphore or eventfd: the meet of the clocks released while
// waiters were blocked in the current waiting episode (several releases may
// have ended a wait, and HB is used to silence, so it must under-approximate);
// the last few releasers' epochs say what may have ended a wait.

/// t releases into s (a signal, a post, a write) while threads wait on it.
/// Ticks t.
DEPT_HIDDEN void dept_clock_release_episode(struct dept_sync *s, struct dept_thread *t);
/// The release count of s, taken when a wait starts.
DEPT_HIDDEN uint32_t dept_clock_seq(struct dept_sync *s);
/// A wait that started at `seq` returned: t learns what the releases since
/// then released; *sat gets their epochs (up to DEPT_SAT_MAX; *nsat = 0 when
/// none or too many to know). `ready`: the tokens the object held when the
/// wait started (a semaphore's count; 0 when unknown): a wait that nothing
/// was released to while it waited took one of them, and *sat gets the
/// epochs of the last `ready` posts, which left them.
DEPT_HIDDEN void dept_clock_acquire_episode(struct dept_sync *s, struct dept_thread *t, uint32_t seq,
                                            uint32_t ready, struct dept_epoch *sat, uint32_t *nsat);
/// t posts s while nobody waits on it: no clock is released (nobody is
/// there to learn it), but the post counts as s's latest release, whose
/// epoch a later wait that finds its token gets (dept_clock_acquire_episode).
/// Ticks t.
DEPT_HIDDEN void dept_clock_note_post(struct dept_sync *s, struct dept_thread *t);
/// A wait on s that did not block took one of the `ready` tokens s held:
/// *sat gets the epochs of the last `ready` posts, which left them (*nsat =
/// 0 when unknown). Nothing is released to the waiter: it waited for no post.
DEPT_HIDDEN void dept_clock_found_tokens(struct dept_sync *s, uint32_t ready, struct dept_epoch *sat, uint32_t *nsat);
/// Nobody waits on s any more: the episode's meet is forgotten.
DEPT_HIDDEN void dept_clock_episode_over(struct dept_sync *s);

// A thread body: its creator's clock at create, then its own at exit.
DEPT_HIDDEN void dept_clock_publish_start(struct dept_sync *body, struct dept_thread *parent);
DEPT_HIDDEN void dept_clock_exit(struct dept_sync *body, struct dept_thread *t);
/// t learns what the body holds (its exit clock after a join; its creator's
/// clock at start).
DEPT_HIDDEN void dept_clock_acquire_all(struct dept_sync *s, struct dept_thread *t);

/// The entry of t's memo of published clocks (clk_known) that instance
/// inst maps to.
static inline struct dept_clk_known *dept_clock_known(struct dept_thread *t, uint32_t inst) {
    return &t->clk_known[inst & (DEPT_CLK_KNOWN - 1)];
}
/// Whether t already joined the clock published into mutex instance inst at
/// its current version (clocks.c, dept_clock_acquire_published), so that an
/// acquisition learns nothing from it: the lock hook asks before it sets up
/// the call.
static inline bool dept_clock_knows_published(struct dept_thread *t, uint32_t inst) {
    const struct dept_clk_known *k = dept_clock_known(t, inst);
    return k->inst == inst && k->version && k->sync
           && atomic_load_explicit(&k->sync->clk_version, memory_order_acquire) == k->version;
}

// A mutex: what threads published into it. A condvar signalled while the
// mutex is held publishes the signaller's clock (a waiter that finds its
// predicate already true never blocks, yet it read what the signaller
// wrote under the mutex); a thread that dies holding it publishes its last
// clock (the next owner gets EOWNERDEAD).
DEPT_HIDDEN void dept_clock_publish(struct dept_sync *m, uint32_t cls, struct dept_thread *t);
/// t took the mutex o (its acquisition returned): it learns what was
/// published into it. Every acquisition of a mutex that carries a published
/// clock gets here: the slow path's, and a cached one's, whose cache entry
/// is marked DEPT_ACQ_CLOCK (lock_published).
DEPT_HIDDEN void dept_clock_acquire_published(struct dept_thread *t, struct dept_obj_ref o);
/// Whether acquisitions of instance `inst` of class `cls` must come here.
DEPT_HIDDEN bool dept_clock_is_published(uint32_t cls, uint32_t inst);

/// The clock of a request (a wait for a signal, post, write or exit): t's
/// own. Fills out (cap entries); returns the length.
DEPT_HIDDEN uint32_t dept_clock_request(struct dept_thread *t, uint32_t *out, uint32_t cap);
/// Entries of the longest clock so far (the length a request needs).
DEPT_HIDDEN uint32_t dept_clock_width(void);

DEPT_HIDDEN void dept_clocks_atfork(int phase);
#endif
