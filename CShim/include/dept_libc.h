// dept_libc.h - the C library as dept's own code sees it (CShim/libc_raw.c).
//
// Every call declared here reaches glibc itself: never one of our
// interposers (read, write, close, fcntl and dup* are interposed in
// eventfd_hooks.c), never stdio (whose locks belong to the program). The
// runtime is an Embedded Swift module, which has no Glibc module: this
// header is all of libc it uses, and the shim's hooks call their real
// read/write/close/fcntl through it too.
#ifndef DEPT_LIBC_H
#define DEPT_LIBC_H

#include <errno.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// errno of the calling thread, and its message.
int dept_libc_errno(void);
const char *dept_libc_strerror(int err);

ssize_t dept_libc_read(int fd, void *buf, size_t n);
ssize_t dept_libc_write(int fd, const void *buf, size_t n);
/// Writes all of buf, retrying after EINTR and short writes: 0, or -1
/// (errno set).
int dept_libc_write_all(int fd, const void *buf, size_t n);
int dept_libc_close(int fd);
int dept_libc_dup2(int fd, int to);
int dept_libc_fcntl(int fd, int cmd, long arg);

/// open(path, O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0644).
int dept_libc_open_append(const char *path);
/// open(path, O_RDONLY|O_CLOEXEC).
int dept_libc_open_read(const char *path);
/// A close-on-exec duplicate of fd numbered 200 or above (-1 on failure):
/// out of the way of the descriptors a program counts on.
int dept_libc_fd_high(int fd);
/// pread: n bytes at offset (retry EINTR yourself).
ssize_t dept_libc_pread(int fd, void *buf, size_t n, int64_t offset);
/// access(path, R_OK) == 0.
int dept_libc_is_readable(const char *path);
/// isatty(fd) != 0.
int dept_libc_isatty(int fd);
/// realpath into buf (n bytes, at least PATH_MAX): 0, or -1.
int dept_libc_realpath(const char *path, char *buf, size_t n);
/// An anonymous temporary file (unlinked at once), close-on-exec.
int dept_libc_temp_file(void);
/// lseek(fd, 0, SEEK_SET).
int dept_libc_rewind(int fd);

/// What a descriptor refers to: enough to notice that the program closed
/// it and the number now names another file.
enum { DEPT_FILE_OTHER = 0, DEPT_FILE_REGULAR = 1, DEPT_FILE_CHAR_DEVICE = 2 };
struct dept_file_id { uint64_t dev; uint64_t ino; uint32_t type; };
/// fstat: 0 and *out filled, or -1.
int dept_libc_file_id(int fd, struct dept_file_id *out);

int32_t dept_libc_getpid(void);
const char *dept_libc_getenv(const char *name);
/// The process environment (NULL-terminated).
char *const *dept_libc_environ(void);
/// access(path, X_OK) == 0.
int dept_libc_is_executable(const char *path);
ssize_t dept_libc_readlink(const char *path, char *buf, size_t n);

/// Runs path with argv/envp to its end, as a helper the program cannot
/// see (no SIGCHLD, never reaped by its waitpid(-1): helper_process.c);
/// stdin from stdin_fd (or /dev/null when -1), stdout into stdout_fd,
/// stderr to /dev/null. 0 and *status (its wait status, -1 when unknown),
/// or an error number.
int dept_libc_run_helper(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd,
                         int *status);

#ifdef __cplusplus
}
#endif
#endif
