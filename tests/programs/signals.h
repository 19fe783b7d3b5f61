/* signals.h — the signal calls of the signal_* programs, raw as in rt.h (include rt.h first).
 * struct sigaction is the kernel's x86-64 layout (arch/x86/include/uapi/asm/signal.h), not a
 * libc's: handler, flags, restorer, an 8-byte mask. */
#ifndef SIGNALS_H
#define SIGNALS_H
#include "rt.h"

enum {
    NR_rt_sigprocmask = 14, NR_rt_sigreturn = 15, NR_kill = 62, NR_rt_sigpending = 127, NR_gettid = 186,
    NR_tkill = 200, NR_tgkill = 234,
};

#define SIGHUP 1
#define SIGKILL 9
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGURG 23
#define SIGWINCH 28
#define NSIG_MAX 64

#define SIG_DFL 0UL
#define SIG_IGN 1UL
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SA_SIGINFO 0x4UL
#define SA_UNSUPPORTED 0x400UL /* never kept: reads back clear */
#define SA_RESTORER 0x04000000UL
#define SA_RESTART 0x10000000UL
#define SA_RESETHAND 0x80000000UL
#define SIGSET_SIZE 8 /* sizeof(sigset_t) in the kernel ABI */
#define ESRCH 3

#define SIGBIT(s) (1UL << ((s) - 1))

struct k_sigaction {
    unsigned long handler, flags, restorer, mask;
};

static inline long sys_getpid(void) { return sys0(NR_getpid); }
static inline long sys_gettid(void) { return sys0(NR_gettid); }
static inline long sys_kill(long pid, long sig) { return sys2(NR_kill, pid, sig); }
static inline long sys_tkill(long tid, long sig) { return sys2(NR_tkill, tid, sig); }
static inline long sys_tgkill(long tgid, long tid, long sig) { return sys3(NR_tgkill, tgid, tid, sig); }
static inline long sys_sigaction(long sig, const struct k_sigaction *act, struct k_sigaction *old)
{
    return sys4(NR_rt_sigaction, sig, act, old, SIGSET_SIZE);
}
static inline long sys_sigprocmask(long how, const unsigned long *set, unsigned long *old)
{
    return sys4(NR_rt_sigprocmask, how, set, old, SIGSET_SIZE);
}
static inline long sys_sigpending(unsigned long *set) { return sys2(NR_rt_sigpending, set, SIGSET_SIZE); }

/* Sets `sig`'s handler to SIG_DFL or SIG_IGN; returns the raw answer. */
static inline long set_disposition(long sig, unsigned long handler)
{
    struct k_sigaction act = { .handler = handler };
    return sys_sigaction(sig, &act, 0);
}

/* The blocked pending signals (rt_sigpending), or ~0 when the call fails. */
static inline unsigned long pending_signals(void)
{
    unsigned long set = 0;
    return sys_sigpending(&set) == 0 ? set : ~0UL;
}
#endif
