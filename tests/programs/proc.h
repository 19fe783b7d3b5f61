/* proc.h — the process system calls of issue 9's programs (fork_cow, fork_many, wait_status,
 * kill_groups, pipes, exec_chain, preemption), raw as in rt.h: every wrapper returns Linux's
 * answer, a value or -errno. Include rt.h first. Layouts and values are the x86-64 ABI's
 * (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/linux/wait.h, asm-generic/fcntl.h,
 * asm-generic/poll.h, asm-generic/siginfo.h). */
#ifndef PROC_H
#define PROC_H
#include "rt.h"
#include "signals.h"

enum {
    NR_close = 3, NR_poll = 7, NR_select = 23, NR_sched_yield = 24, NR_dup = 32, NR_dup2 = 33,
    NR_nanosleep = 35, NR_fork = 57, NR_vfork = 58, NR_execve = 59, NR_wait4 = 61,
    NR_fcntl = 72, NR_setpgid = 109, NR_getppid = 110, NR_getpgrp = 111, NR_setsid = 112,
    NR_getpgid = 121, NR_getsid = 124, NR_waitid = 247, NR_pipe2 = 293,
};

#define ECHILD 10
#define EAGAIN 11
#define EACCES 13
#define E2BIG 7
#define ENOEXEC 8
#define EPIPE 32
#define ESPIPE 29

#define SIGSEGV 11
#define SIGPIPE 13
#define SIGALRM 14

/* wait4 / waitid options and waitid's id types (include/uapi/linux/wait.h). */
#define WNOHANG 1
#define WEXITED 4
#define P_ALL 0
#define P_PID 1
#define P_PGID 2
/* si_code of a SIGCHLD siginfo (asm-generic/siginfo.h). */
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3

/* The wait status word: exit code in bits 8-15, terminating signal in bits 0-6. */
#define W_EXITED(s) (((s) & 0x7f) == 0)
#define W_EXITSTATUS(s) (((s) >> 8) & 0xff)
#define W_SIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define W_TERMSIG(s) ((s) & 0x7f)

/* fcntl and open flags (asm-generic/fcntl.h). */
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define FD_CLOEXEC 1
#define O_NONBLOCK 04000
#define O_CLOEXEC 02000000

/* poll events (asm-generic/poll.h). */
#define POLLIN 0x001
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
struct rt_pollfd { int fd; short events, revents; };

/* The SIGCHLD part of the kernel's 128-byte siginfo: signo, errno, code, then pid, uid, status. */
struct rt_siginfo {
    int si_signo, si_errno, si_code, pad;
    int si_pid, si_uid, si_status;
    int rest[25];
};

static inline long sys_fork(void) { return sys0(NR_fork); }
static inline long sys_wait4(long pid, int *status, long options)
{
    return sys4(NR_wait4, pid, status, options, 0);
}
static inline long sys_waitid(long idtype, long id, struct rt_siginfo *info, long options)
{
    return sys6(NR_waitid, idtype, id, (long)info, options, 0, 0);
}
static inline long sys_getppid(void) { return sys0(NR_getppid); }
static inline long sys_setpgid(long pid, long pgid) { return sys2(NR_setpgid, pid, pgid); }
static inline long sys_getpgid(long pid) { return sys1(NR_getpgid, pid); }
static inline long sys_getpgrp(void) { return sys0(NR_getpgrp); }
static inline long sys_setsid(void) { return sys0(NR_setsid); }
static inline long sys_getsid(long pid) { return sys1(NR_getsid, pid); }
static inline long sys_pipe2(int fds[2], long flags) { return sys2(NR_pipe2, fds, flags); }
static inline long sys_close(long fd) { return sys1(NR_close, fd); }
static inline long sys_dup2(long from, long to) { return sys2(NR_dup2, from, to); }
static inline long sys_fcntl(long fd, long cmd, long arg) { return sys3(NR_fcntl, fd, cmd, arg); }
static inline long sys_poll(struct rt_pollfd *fds, long n, long timeout_ms)
{
    return sys3(NR_poll, fds, n, timeout_ms);
}
static inline long sys_sched_yield(void) { return sys0(NR_sched_yield); }
static inline long sys_execve(const char *path, char *const *argv, char *const *envp)
{
    return sys3(NR_execve, path, argv, envp);
}

/* vfork: the child runs on the parent's stack until it execs or exits, so the return address is
 * kept in a register across the call (a child's later call would overwrite the stack slot the
 * parent's `ret` reads), as every libc does it. */
long rt_vfork(void) __attribute__((returns_twice));
__asm__(".text\n"
        ".global rt_vfork\n"
        ".type rt_vfork,@function\n"
        "rt_vfork:\n"
        "    pop %rdx\n"
        "    mov $58, %eax\n" /* NR_vfork */
        "    syscall\n"
        "    push %rdx\n"
        "    ret\n");

/* Sleeps `ms` milliseconds (nanosleep); returns its raw answer. */
static inline long sleep_ms(long ms)
{
    struct rt_timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    return sys2(NR_nanosleep, &t, 0);
}

/* CLOCK_MONOTONIC in nanoseconds. */
static inline long now_ns(void)
{
    struct rt_timespec t = { 0, 0 };
    sys2(NR_clock_gettime, CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Reads or writes exactly n bytes (loops over short transfers); returns n, or the first error
 * or 0 (end of file) that cut it short. */
static inline long read_full(int fd, void *buf, unsigned long n)
{
    unsigned long done = 0;
    while (done < n) {
        long r = sys_read(fd, (char *)buf + done, n - done);
        if (r <= 0) return r;
        done += (unsigned long)r;
    }
    return (long)done;
}
static inline long write_full(int fd, const void *buf, unsigned long n)
{
    unsigned long done = 0;
    while (done < n) {
        long r = sys_write(fd, (const char *)buf + done, n - done);
        if (r <= 0) return r;
        done += (unsigned long)r;
    }
    return (long)done;
}

/* A child's verdict: the parent checks it with `child_passed`. A forked child inherits the
 * parent's check counters; it exits 0 when it added no failure of its own, else 1. */
static inline __attribute__((noreturn)) void child_exit(int failures_at_fork)
{
    sys_exit_group(rt_failures == failures_at_fork ? 0 : 1);
}

/* Reaps `pid` and checks that it exited with status `code`; `what` names the check. */
static inline int reap_expect(long pid, int code, const char *what)
{
    int status = -1;
    long r = sys_wait4(pid, &status, 0);
    rt_checks++;
    if (r == pid && W_EXITED(status) && W_EXITSTATUS(status) == code) return 1;
    rt_failures++;
    if (r != pid) say("FAIL: %s: wait4(%d) = %E", what, (int)pid, r);
    else if (W_SIGNALED(status)) say("FAIL: %s: killed by signal %d, want exit %d", what, W_TERMSIG(status), code);
    else say("FAIL: %s: exit status %d, want %d (wait status 0x%x)", what, W_EXITSTATUS(status), code, status);
    return 0;
}

/* Reaps `pid` and checks that signal `sig` killed it. */
static inline int reap_expect_signal(long pid, int sig, const char *what)
{
    int status = -1;
    long r = sys_wait4(pid, &status, 0);
    rt_checks++;
    if (r == pid && W_SIGNALED(status) && W_TERMSIG(status) == sig) return 1;
    rt_failures++;
    if (r != pid) say("FAIL: %s: wait4(%d) = %E", what, (int)pid, r);
    else say("FAIL: %s: wait status 0x%x, want killed by signal %d", what, status, sig);
    return 0;
}
#endif
