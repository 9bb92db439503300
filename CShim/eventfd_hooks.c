// eventfd_hooks.c - eventfds in the model:
//   a read (read, readv, eventfd_read) of a blocking eventfd = [W] on it,
//   even when the counter was non-zero (it might have slept)
//   a write (write, writev, eventfd_write) = [E] of it
//   non-blocking eventfds never wait: nothing is recorded
// Which descriptors are eventfds is tracked per fd (eventfd, dup*, fcntl,
// close), so the cost on any other descriptor is one load and a branch.
#define _GNU_SOURCE
#include "shim.h"
#include "dept_libc.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FD 65536
enum { IS_EVENTFD = 1, NONBLOCK = 2 };
static _Atomic uint8_t fd_flags[MAX_FD];

// An eventfd is identified by a key outside any user address range, so it
// can share the object table with memory objects.
#define FD_KEY(fd) ((uintptr_t)0xffffe00000000000ull + (uintptr_t)(fd))

DEFINE_REAL(int, eventfd, unsigned int, int)
DEFINE_REAL(int, eventfd_read, int, eventfd_t *)
DEFINE_REAL(int, eventfd_write, int, eventfd_t)
DEFINE_REAL(ssize_t, readv, int, const struct iovec *, int)
DEFINE_REAL(ssize_t, writev, int, const struct iovec *, int)
DEFINE_REAL(int, dup, int)
DEFINE_REAL(int, dup3, int, int, int)

static inline uint8_t flags_of(int fd) {
    return (unsigned)fd < MAX_FD ? atomic_load_explicit(&fd_flags[fd], memory_order_relaxed) : 0;
}

DEPT_EXPORT int eventfd(unsigned int initval, int flags) {
    resolve_eventfd();
    int fd = REAL(eventfd)(initval, flags);
    if (fd < 0 || fd >= MAX_FD) return fd;
    atomic_store(&fd_flags[fd], IS_EVENTFD | ((flags & EFD_NONBLOCK) ? NONBLOCK : 0));
    struct dept_thread *t = dept_enter();
    if (t) {
        int e = errno;
        struct dept_obj_ref o = dept_obj_init(FD_KEY(fd), DEPT_OBJ_EVENTFD, CALLER_PC());
        struct dept_sync *s = dept_sync_get(o.inst);
        if (s) atomic_store(&s->tokens, initval > 0);
        dept_leave();
        errno = e;
    }
    return fd;
}

// The descriptor `fd` stops being what it was (closed, or replaced by dup2).
static void forget_fd(int fd) {
    if (!(flags_of(fd) & IS_EVENTFD)) return;
    atomic_store(&fd_flags[fd], 0);
    struct dept_thread *t = dept_enter();
    if (t) { dept_sync_forget(dept_obj_destroy(FD_KEY(fd))); dept_leave(); }
}

static void copy_fd(int from, int to) {
    uint8_t f = flags_of(from);
    if (to < 0 || to >= MAX_FD || !(f & IS_EVENTFD)) return;
    atomic_store(&fd_flags[to], f);
    struct dept_thread *t = dept_enter();
    if (t) {
        struct dept_obj_ref o;
        if (dept_obj_find(FD_KEY(from), &o)) dept_obj_bind(FD_KEY(to), o);
        dept_leave();
    }
}

static void on_read(int fd, uintptr_t pc, struct dept_thread **tp, struct dept_sync_wait *w) {
    struct dept_thread *t = dept_enter();
    *tp = t;
    if (!t) return;
    struct dept_obj_ref o;
    struct dept_sync *sy = dept_sync_lookup(t, FD_KEY(fd), DEPT_OBJ_EVENTFD, pc, &o);
    uint32_t stack = dept_wait_begin_fast(t, o, DEPT_EV_EXCL, DEPT_OP_EVENTFD_READ, 0, pc);
    *w = dept_sync_wait_enter(t, o, sy, stack, DEPT_OP_EVENTFD_READ, true);
    dept_block_begin(t, FD_KEY(fd), o, DEPT_OP_EVENTFD_READ, DEPT_EV_EXCL, stack, 0);
    dept_leave();
}

static void after_read(struct dept_thread *t, struct dept_sync_wait *w) {
    if (!t) return;
    int e = errno;
    dept_block_end(t);
    dept_tls_guard = 1;
    dept_sync_wait_leave(t, w);
    dept_leave();
    errno = e;
}

static void on_write(int fd, uintptr_t pc) {
    struct dept_thread *t = dept_enter();
    if (!t) return;
    struct dept_obj_ref o;
    struct dept_sync *sy = dept_sync_lookup(t, FD_KEY(fd), DEPT_OBJ_EVENTFD, pc, &o);
    dept_event(t, o, sy, DEPT_OP_EVENTFD_WRITE, 0, pc, 0);
    dept_leave();
}

#define BLOCKING_EVENTFD(fd) (UNLIKELY(flags_of(fd) == IS_EVENTFD))
#define ANY_EVENTFD_BLOCKING(fd) BLOCKING_EVENTFD(fd)

DEPT_EXPORT ssize_t read(int fd, void *buf, size_t n) {
    if (LIKELY(!BLOCKING_EVENTFD(fd))) return dept_libc_read(fd, buf, n);
    int e = errno;
    struct dept_thread *t; struct dept_sync_wait s;
    on_read(fd, CALLER_PC(), &t, &s);
    errno = e;
    ssize_t r = dept_libc_read(fd, buf, n);
    after_read(t, &s);
    return r;
}

DEPT_EXPORT ssize_t readv(int fd, const struct iovec *iov, int n) {
    resolve_readv();
    if (LIKELY(!BLOCKING_EVENTFD(fd))) return REAL(readv)(fd, iov, n);
    int e = errno;
    struct dept_thread *t; struct dept_sync_wait s;
    on_read(fd, CALLER_PC(), &t, &s);
    errno = e;
    ssize_t r = REAL(readv)(fd, iov, n);
    after_read(t, &s);
    return r;
}

DEPT_EXPORT int eventfd_read(int fd, eventfd_t *v) {
    resolve_eventfd_read();
    if (LIKELY(!BLOCKING_EVENTFD(fd))) return REAL(eventfd_read)(fd, v);
    int e = errno;
    struct dept_thread *t; struct dept_sync_wait s;
    on_read(fd, CALLER_PC(), &t, &s);
    errno = e;
    int r = REAL(eventfd_read)(fd, v);
    after_read(t, &s);
    return r;
}

DEPT_EXPORT ssize_t write(int fd, const void *buf, size_t n) {
    if (UNLIKELY(BLOCKING_EVENTFD(fd))) { int e = errno; on_write(fd, CALLER_PC()); errno = e; }
    return dept_libc_write(fd, buf, n);
}

DEPT_EXPORT ssize_t writev(int fd, const struct iovec *iov, int n) {
    resolve_writev();
    if (UNLIKELY(BLOCKING_EVENTFD(fd))) { int e = errno; on_write(fd, CALLER_PC()); errno = e; }
    return REAL(writev)(fd, iov, n);
}

DEPT_EXPORT int eventfd_write(int fd, eventfd_t v) {
    resolve_eventfd_write();
    if (UNLIKELY(BLOCKING_EVENTFD(fd))) { int e = errno; on_write(fd, CALLER_PC()); errno = e; }
    return REAL(eventfd_write)(fd, v);
}

DEPT_EXPORT int close(int fd) {
    if (UNLIKELY(flags_of(fd))) forget_fd(fd);
    return dept_libc_close(fd);
}

DEPT_EXPORT int dup(int fd) {
    resolve_dup();
    int r = REAL(dup)(fd);
    if (UNLIKELY(flags_of(fd)) && r >= 0) { int e = errno; copy_fd(fd, r); errno = e; }
    return r;
}

DEPT_EXPORT int dup2(int fd, int to) {
    int r = dept_libc_dup2(fd, to);
    if (r >= 0 && r != fd) {
        int e = errno;
        if (UNLIKELY(flags_of(to))) forget_fd(to);
        if (UNLIKELY(flags_of(fd))) copy_fd(fd, to);
        errno = e;
    }
    return r;
}

DEPT_EXPORT int dup3(int fd, int to, int fl) {
    resolve_dup3();
    int r = REAL(dup3)(fd, to, fl);
    if (r >= 0) {
        int e = errno;
        if (UNLIKELY(flags_of(to))) forget_fd(to);
        if (UNLIKELY(flags_of(fd))) copy_fd(fd, to);
        errno = e;
    }
    return r;
}

DEPT_EXPORT int fcntl(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int r = dept_libc_fcntl(fd, cmd, (long)arg);
    if (UNLIKELY(flags_of(fd)) && r >= 0) {
        int e = errno;
        if (cmd == F_SETFL) {
            uint8_t f = flags_of(fd);
            f = ((long)arg & O_NONBLOCK) ? (f | NONBLOCK) : (f & ~NONBLOCK);
            atomic_store(&fd_flags[fd], f);
        } else if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
            copy_fd(fd, r);
        }
        errno = e;
    }
    return r;
}
DEPT_EXPORT int fcntl64(int fd, int cmd, ...) __attribute__((alias("fcntl")));
