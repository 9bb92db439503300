/* Port shim: the sanitizer syscall hooks are no-ops without a sanitizer runtime. */
#ifndef PORTED_LINUX_SYSCALL_HOOKS_H
#define PORTED_LINUX_SYSCALL_HOOKS_H
#define __sanitizer_syscall_pre_fork() ((void)0)
#define __sanitizer_syscall_post_fork(res) ((void)(res))
#define __sanitizer_syscall_pre_pipe(fds) ((void)(fds))
#define __sanitizer_syscall_post_pipe(res, fds) ((void)(res), (void)(fds))
#define __sanitizer_syscall_pre_close(fd) ((void)(fd))
#define __sanitizer_syscall_post_close(res, fd) ((void)(res), (void)(fd))
#define __sanitizer_syscall_pre_read(fd, buf, n) ((void)(fd), (void)(buf), (void)(n))
#define __sanitizer_syscall_post_read(res, fd, buf, n) ((void)(res), (void)(fd), (void)(buf), (void)(n))
#define __sanitizer_syscall_pre_write(fd, buf, n) ((void)(fd), (void)(buf), (void)(n))
#define __sanitizer_syscall_post_write(res, fd, buf, n) ((void)(res), (void)(fd), (void)(buf), (void)(n))
#endif
