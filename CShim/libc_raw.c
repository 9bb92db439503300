// libc_raw.c - the C library for dept's own code (see include/dept_libc.h).
//
// read, write, close, fcntl and dup2 are interposed by this very library
// (eventfd_hooks.c), so calling them by name from dept would run our hooks
// on our own descriptors; glibc also exports them as __read, __write, ...,
// names no interposer replaces, and that is what is called here.
#define _GNU_SOURCE
#include "shim.h"
#include "dept_libc.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern ssize_t __read(int, void *, size_t);
extern ssize_t __write(int, const void *, size_t);
extern int __close(int);
extern int __dup2(int, int);
extern int __fcntl(int, int, ...);
extern char **environ;

DEPT_HIDDEN int dept_libc_errno(void) { return errno; }
DEPT_HIDDEN const char *dept_libc_strerror(int err) { return strerror(err); }

DEPT_HIDDEN ssize_t dept_libc_read(int fd, void *buf, size_t n) { return __read(fd, buf, n); }
DEPT_HIDDEN ssize_t dept_libc_write(int fd, const void *buf, size_t n) { return __write(fd, buf, n); }
DEPT_HIDDEN int dept_libc_close(int fd) { return __close(fd); }
DEPT_HIDDEN int dept_libc_dup2(int fd, int to) { return __dup2(fd, to); }
DEPT_HIDDEN int dept_libc_fcntl(int fd, int cmd, long arg) { return __fcntl(fd, cmd, arg); }

DEPT_HIDDEN int dept_libc_write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n) {
        ssize_t w = __write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

DEPT_HIDDEN int dept_libc_open_append(const char *path) {
    return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}
DEPT_HIDDEN int dept_libc_open_read(const char *path) { return open(path, O_RDONLY | O_CLOEXEC); }
DEPT_HIDDEN int dept_libc_fd_high(int fd) { return __fcntl(fd, F_DUPFD_CLOEXEC, 200); }
DEPT_HIDDEN ssize_t dept_libc_pread(int fd, void *buf, size_t n, int64_t offset) { return pread(fd, buf, n, (off_t)offset); }
DEPT_HIDDEN int dept_libc_is_readable(const char *path) { return access(path, R_OK) == 0; }
DEPT_HIDDEN int dept_libc_isatty(int fd) { return isatty(fd) != 0; }
DEPT_HIDDEN int dept_libc_realpath(const char *path, char *buf, size_t n) {
    if (n < PATH_MAX) return -1;
    return realpath(path, buf) ? 0 : -1;
}

DEPT_HIDDEN int dept_libc_temp_file(void) {
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir || strlen(dir) > 4000) dir = "/tmp";
    char path[4096 + 32];
    strcpy(path, dir);
    strcat(path, "/dept-sym-XXXXXX");
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0) unlink(path);
    return fd;
}
DEPT_HIDDEN int dept_libc_rewind(int fd) { return lseek(fd, 0, SEEK_SET) == 0 ? 0 : -1; }

DEPT_HIDDEN int dept_libc_file_id(int fd, struct dept_file_id *out) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    out->dev = st.st_dev;
    out->ino = st.st_ino;
    out->type = S_ISREG(st.st_mode) ? DEPT_FILE_REGULAR : S_ISCHR(st.st_mode) ? DEPT_FILE_CHAR_DEVICE : DEPT_FILE_OTHER;
    return 0;
}

DEPT_HIDDEN int32_t dept_libc_getpid(void) { return (int32_t)getpid(); }
DEPT_HIDDEN const char *dept_libc_getenv(const char *name) { return getenv(name); }
DEPT_HIDDEN char *const *dept_libc_environ(void) { return environ; }
DEPT_HIDDEN int dept_libc_is_executable(const char *path) { return access(path, X_OK) == 0; }
DEPT_HIDDEN ssize_t dept_libc_readlink(const char *path, char *buf, size_t n) { return readlink(path, buf, n); }

// Embedded Swift reports a trap's message (in an unoptimised build; an
// optimised one only executes ud2) through putchar. Our definition is local
// to the library, so the message goes to fd 2 with raw writes instead of
// through the program's stdout lock, which another thread may hold.
DEPT_HIDDEN int putchar(int c) {
    char ch = (char)c;
    return __write(2, &ch, 1) == 1 ? (unsigned char)c : -1;
}

// Embedded Swift sizes the tables of Dictionary and Set with ceil
// (_HashTable.scale(forCapacity:)), its only use of libm. Defined here,
// local to the library, so that libdept.so needs libc alone: a program that
// does not load libm itself (/bin/true, sh, cat) would otherwise pay for
// finding and mapping it at every start.
DEPT_HIDDEN double ceil(double x) {
    // NaN, infinities and |x| >= 2^52 are integral already.
    if (!(x > -4503599627370496.0 && x < 4503599627370496.0)) return x;
    double t = (double)(int64_t)x;      // toward zero
    if (t < x) t += 1.0;
    return t == 0.0 ? __builtin_copysign(0.0, x) : t;
}
