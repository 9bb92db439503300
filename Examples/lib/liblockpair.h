// Tiny shared library used by shlib_inversion.c and hang_shlib.c: it owns a
// private static mutex `lib_lock` that callers cannot see.
#ifndef LIBLOCKPAIR_H
#define LIBLOCKPAIR_H

// Locks lib_lock, calls cb (with lib_lock held), unlocks lib_lock.
void lib_with_lock(void (*cb)(void));
// Locks lib_lock and unlocks it again.
void lib_lock_then_unlock(void);

#endif
