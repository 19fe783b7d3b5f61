/* sched.h — the process calls of the sched_* programs, raw as in rt.h (include rt.h and
 * signals.h first): fork, vfork, wait4, waitid, process groups, sleeping, the clock. */
#ifndef SCHED_H
#define SCHED_H
#include "rt.h"
#include "signals.h"

enum {
    NR_sched_yield = 24, NR_nanosleep = 35, NR_fork = 57, NR_vfork = 58, NR_wait4 = 61,
    NR_setpgid = 109, NR_getppid = 110, NR_getpgrp = 111, NR_setsid = 112, NR_getpgid = 121,
    NR_getsid = 124, NR_prctl = 157, NR_waitid = 247,
};

#define ECHILD 10
#define EACCES 13
#define EAGAIN 11
#define WNOHANG 1
#define WEXITED 4
#define P_ALL 0
#define P_PID 1
#define CLD_EXITED 1
#define CLD_KILLED 2
#define PR_SET_CHILD_SUBREAPER 36
#define SIGSEGV 11

/* The wait status word (wait4): exit code << 8, or the signal. */
#define EXITED_WITH(code) ((code) << 8)
#define KILLED_BY(sig) (sig)

struct k_timespec { long seconds, nanoseconds; };

/* The fields of a SIGCHLD siginfo_t that waitid fills. */
struct k_siginfo {
    int signo, error, code, pad;
    int pid, uid, status, pad2;
    long utime, stime;
    char rest[128 - 48];
};

static inline long sys_fork(void) { return sys0(NR_fork); }
static inline long sys_getppid(void) { return sys0(NR_getppid); }
static inline long sys_wait4(long pid, int *status, long options)
{
    return sys4(NR_wait4, pid, status, options, 0);
}
static inline long sys_waitid(long type, long id, struct k_siginfo *info, long options)
{
    return sys6(NR_waitid, type, id, (long)info, options, 0, 0);
}
static inline long sys_setpgid(long pid, long pgid) { return sys2(NR_setpgid, pid, pgid); }
static inline long sys_getpgid(long pid) { return sys1(NR_getpgid, pid); }
static inline long sys_getpgrp(void) { return sys0(NR_getpgrp); }
static inline long sys_setsid(void) { return sys0(NR_setsid); }
static inline long sys_getsid(long pid) { return sys1(NR_getsid, pid); }

/* Nanoseconds on CLOCK_MONOTONIC. */
static inline unsigned long monotonic_ns(void)
{
    struct k_timespec now;
    sys2(NR_clock_gettime, CLOCK_MONOTONIC, &now);
    return (unsigned long)now.seconds * 1000000000UL + (unsigned long)now.nanoseconds;
}

static inline void sleep_ms(unsigned long ms)
{
    struct k_timespec request = { (long)(ms / 1000), (long)(ms % 1000) * 1000000L };
    sys2(NR_nanosleep, &request, 0);
}

/* vfork whose child ends at once with `code` (in the same asm: it must not touch the stack it
 * shares with its sleeping parent). Returns the child's pid in the parent. */
static inline long vfork_and_exit(long code)
{
    long ret;
    __asm__ volatile("syscall\n"
                     "testq %%rax, %%rax\n"
                     "jnz 1f\n"
                     "movl $231, %%eax\n" /* NR_exit_group */
                     "movq %2, %%rdi\n"
                     "syscall\n"
                     "1:\n"
                     : "=a"(ret)
                     : "a"((long)NR_vfork), "r"(code)
                     : "rcx", "r11", "rdi", "memory");
    return ret;
}

/* Forks a child that runs `body(argument)` and exits with its answer. */
static inline long spawn(int (*body)(long), long argument)
{
    long pid = sys_fork();
    if (pid == 0) sys_exit_group(body(argument));
    return pid;
}
#endif
