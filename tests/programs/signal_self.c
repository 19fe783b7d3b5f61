/* signal_self — signals a process sends itself, and the state rt_sigaction / rt_sigprocmask
 * keep (issue 8, item 4). Only a terminating signal with its default action may end a process:
 *   - SIGWINCH, SIGCHLD, SIGURG and SIGCONT (default: ignore) through kill, tkill and tgkill;
 *   - SIGTERM set to SIG_IGN; SIGTERM blocked (pending, reported by rt_sigpending, discarded by
 *     SIG_IGN); SIGCHLD blocked, then unblocked;
 *   - a caught SIGUSR1 does not end the process, and SA_RESETHAND makes it SIG_DFL once
 *     delivered (natively the handler runs; our kernel does not run handlers yet);
 *   - rt_sigaction returns the old action exactly (unknown flags and SIGKILL/SIGSTOP in the
 *     mask dropped); rt_sigprocmask SIG_BLOCK / SIG_UNBLOCK / SIG_SETMASK with the old set;
 *   - EINVAL / EFAULT / ESRCH answers of all five calls.
 * Signals go to the process by its pid only: kill(0, ...) would reach the native runner's whole
 * process group. No stop signal is sent (natively it would stop the test). Status 0. */
#include "rt.h"
#include "signals.h"

static void never_called(int sig) { (void)sig; }

/* A handler that does nothing, and the restorer it returns to (rt_sigreturn): the raw build has
 * no C library to provide one, and x86-64 Linux needs SA_RESTORER to deliver to a handler. */
static void does_nothing(int sig) { (void)sig; }
void signal_restorer(void);
__asm__(".text\n"
        ".type signal_restorer,@function\n"
        "signal_restorer:\n"
        "    movl $15, %eax\n" /* NR_rt_sigreturn */
        "    syscall\n"
        "    hlt\n");

static void caught_signals(long pid)
{
    struct k_sigaction act = {
        .handler = (unsigned long)does_nothing,
        .flags = SA_RESTORER | SA_RESETHAND,
        .restorer = (unsigned long)signal_restorer,
    };
    expect(sys_sigaction(SIGUSR1, &act, 0), 0, "one-shot SIGUSR1 handler");
    expect(sys_kill(pid, SIGUSR1), 0, "kill(self, SIGUSR1) with a handler");
    struct k_sigaction now = { 1, 1, 1, 1 };
    expect(sys_sigaction(SIGUSR1, 0, &now), 0, "read SIGUSR1's action");
    check(now.handler == SIG_DFL, "SA_RESETHAND: SIG_DFL after one delivery");
    check(pending_signals() == 0, "nothing pending after a caught signal");
    act.flags = SA_RESTORER;
    expect(sys_sigaction(SIGUSR1, &act, 0), 0, "SIGUSR1 handler");
    expect(sys_kill(pid, SIGUSR1), 0, "kill(self, SIGUSR1) with a handler again");
    expect(set_disposition(SIGUSR1, SIG_DFL), 0, "SIGUSR1 back to SIG_DFL: nothing left to kill");
    say("signal_self: caught SIGUSR1 survived, SA_RESETHAND honoured");
}

static void self_signals_that_are_ignored(long pid, long tid)
{
    static const int ignored[] = { SIGWINCH, SIGCHLD, SIGURG, SIGCONT };
    for (unsigned i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
        expect(sys_kill(pid, ignored[i]), 0, "kill(self, default-ignored signal)");
        expect(sys_tkill(tid, ignored[i]), 0, "tkill(self, default-ignored signal)");
        expect(sys_tgkill(pid, tid, ignored[i]), 0, "tgkill(self, default-ignored signal)");
    }
    check(pending_signals() == 0, "nothing pending after default-ignored signals");
    say("signal_self: SIGWINCH, SIGCHLD, SIGURG, SIGCONT ignored");
}

static void ignored_and_blocked_sigterm(long pid, long tid)
{
    expect(set_disposition(SIGTERM, SIG_IGN), 0, "SIGTERM -> SIG_IGN");
    expect(sys_kill(pid, SIGTERM), 0, "kill(self, SIGTERM) while ignored");
    expect(sys_tgkill(pid, tid, SIGTERM), 0, "tgkill(self, SIGTERM) while ignored");
    expect(set_disposition(SIGTERM, SIG_DFL), 0, "SIGTERM -> SIG_DFL");
    say("signal_self: SIGTERM ignored");

    unsigned long term = SIGBIT(SIGTERM), old = ~0UL;
    expect(sys_sigprocmask(SIG_BLOCK, &term, &old), 0, "block SIGTERM");
    check(!(old & term), "SIGTERM was not blocked before");
    expect(sys_kill(pid, SIGTERM), 0, "kill(self, SIGTERM) while blocked");
    expect(sys_tkill(tid, SIGTERM), 0, "tkill(self, SIGTERM) again (not queued twice)");
    check(pending_signals() == term, "rt_sigpending reports the blocked SIGTERM");
    expect(set_disposition(SIGTERM, SIG_IGN), 0, "SIG_IGN discards the pending SIGTERM");
    check(pending_signals() == 0, "nothing pending after SIG_IGN");
    expect(set_disposition(SIGTERM, SIG_DFL), 0, "SIGTERM -> SIG_DFL again");
    expect(sys_sigprocmask(SIG_UNBLOCK, &term, 0), 0, "unblock SIGTERM (nothing pending)");
    say("signal_self: blocked SIGTERM pending, discarded by SIG_IGN");

    unsigned long child = SIGBIT(SIGCHLD);
    expect(sys_sigprocmask(SIG_BLOCK, &child, 0), 0, "block SIGCHLD");
    expect(sys_kill(pid, SIGCHLD), 0, "kill(self, SIGCHLD) while blocked");
    check(pending_signals() == child, "a blocked SIGCHLD is kept pending");
    expect(sys_sigprocmask(SIG_UNBLOCK, &child, 0), 0, "unblock SIGCHLD: ignored then");
    check(pending_signals() == 0, "SIGCHLD gone once unblocked");
    say("signal_self: blocked SIGCHLD kept, then ignored");
}

static void sigaction_round_trip(void)
{
    struct k_sigaction act = {
        .handler = (unsigned long)never_called,
        .flags = SA_SIGINFO | SA_RESTORER | SA_RESTART | SA_UNSUPPORTED,
        .restorer = (unsigned long)sigaction_round_trip,
        .mask = SIGBIT(SIGHUP) | SIGBIT(SIGUSR1) | SIGBIT(SIGKILL) | SIGBIT(SIGSTOP),
    };
    struct k_sigaction old = { 1, 2, 3, 4 };
    expect(sys_sigaction(SIGUSR2, &act, &old), 0, "set a SIGUSR2 handler");
    check(old.handler == SIG_DFL && old.flags == 0 && old.mask == 0,
          "the first old action is SIG_DFL, no flags, empty mask");
    struct k_sigaction now = { 0, 0, 0, 0 };
    expect(sys_sigaction(SIGUSR2, 0, &now), 0, "read the SIGUSR2 action back");
    check(now.handler == act.handler, "handler read back");
    check(now.flags == (SA_SIGINFO | SA_RESTORER | SA_RESTART), "flags read back, unknown dropped");
    check(now.restorer == act.restorer, "restorer read back");
    check(now.mask == (SIGBIT(SIGHUP) | SIGBIT(SIGUSR1)), "mask read back without SIGKILL/SIGSTOP");
    struct k_sigaction dfl = { .handler = SIG_DFL };
    expect(sys_sigaction(SIGUSR2, &dfl, &old), 0, "SIGUSR2 back to SIG_DFL");
    check(old.handler == act.handler, "the old action is the handler");

    expect(sys_sigaction(SIGKILL, &dfl, 0), -EINVAL, "rt_sigaction(SIGKILL, act)");
    expect(sys_sigaction(SIGSTOP, &dfl, 0), -EINVAL, "rt_sigaction(SIGSTOP, act)");
    expect(sys_sigaction(SIGKILL, 0, &old), 0, "rt_sigaction(SIGKILL, NULL, old)");
    check(old.handler == SIG_DFL, "SIGKILL's action reads as SIG_DFL");
    expect(sys_sigaction(0, 0, &old), -EINVAL, "rt_sigaction(0)");
    expect(sys_sigaction(NSIG_MAX + 1, 0, &old), -EINVAL, "rt_sigaction(65)");
    expect(sys4(NR_rt_sigaction, SIGUSR1, 0, &old, 4), -EINVAL, "rt_sigaction sigsetsize 4");
    expect(sys4(NR_rt_sigaction, SIGUSR1, 0, &old, 16), -EINVAL, "rt_sigaction sigsetsize 16");
    expect(sys_sigaction(SIGUSR1, (void *)16, 0), -EFAULT, "rt_sigaction with a bad act");
    expect(sys_sigaction(SIGUSR1, 0, (void *)16), -EFAULT, "rt_sigaction with a bad oldact");
    say("signal_self: sigaction round trip");
}

static void sigprocmask_arithmetic(void)
{
    unsigned long original = 0, old = 0, set;
    expect(sys_sigprocmask(SIG_BLOCK, 0, &original), 0, "read the mask");
    set = SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2);
    expect(sys_sigprocmask(SIG_SETMASK, &set, &old), 0, "SIG_SETMASK {USR1, USR2}");
    check(old == original, "SIG_SETMASK returns the old mask");
    set = SIGBIT(SIGHUP);
    expect(sys_sigprocmask(SIG_BLOCK, &set, &old), 0, "SIG_BLOCK {HUP}");
    check(old == (SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2)), "old mask after SIG_SETMASK");
    set = SIGBIT(SIGUSR1);
    expect(sys_sigprocmask(SIG_UNBLOCK, &set, &old), 0, "SIG_UNBLOCK {USR1}");
    check(old == (SIGBIT(SIGHUP) | SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2)), "old mask after SIG_BLOCK");
    expect(sys_sigprocmask(SIG_BLOCK, 0, &old), 0, "read the mask again");
    check(old == (SIGBIT(SIGHUP) | SIGBIT(SIGUSR2)), "mask after SIG_UNBLOCK");
    set = ~0UL;
    expect(sys_sigprocmask(SIG_SETMASK, &set, 0), 0, "block everything");
    expect(sys_sigprocmask(SIG_BLOCK, 0, &old), 0, "read the full mask");
    check(old == (~0UL & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))), "SIGKILL and SIGSTOP never blocked");
    expect(sys_sigprocmask(3, &set, 0), -EINVAL, "rt_sigprocmask how 3");
    expect(sys_sigprocmask(99, 0, &old), 0, "bad how without a set is not looked at");
    expect(sys4(NR_rt_sigprocmask, SIG_BLOCK, 0, &old, 4), -EINVAL, "rt_sigprocmask sigsetsize 4");
    expect(sys_sigprocmask(SIG_BLOCK, (void *)16, 0), -EFAULT, "rt_sigprocmask with a bad set");
    expect(sys_sigprocmask(SIG_SETMASK, &original, 0), 0, "restore the mask");
    expect(sys2(NR_rt_sigpending, &old, 9), -EINVAL, "rt_sigpending sigsetsize 9");
    expect(sys2(NR_rt_sigpending, (void *)16, SIGSET_SIZE), -EFAULT, "rt_sigpending bad set");
    say("signal_self: sigprocmask arithmetic");
}

static void kill_errors(long pid, long tid)
{
    const long nobody = 0x3ffffff0; /* above any pid_max (2^22) */
    expect(sys_kill(pid, 0), 0, "kill(self, 0) probes");
    expect(sys_kill(pid, NSIG_MAX + 1), -EINVAL, "kill(self, 65)");
    expect(sys_kill(pid, -1), -EINVAL, "kill(self, -1)");
    expect(sys_kill(nobody, SIGTERM), -ESRCH, "kill(nobody, SIGTERM)");
    expect(sys_kill(nobody, NSIG_MAX + 1), -ESRCH, "kill(nobody, 65): the target first");
    expect(sys_tkill(0, SIGWINCH), -EINVAL, "tkill(0)");
    expect(sys_tkill(-5, SIGWINCH), -EINVAL, "tkill(-5)");
    expect(sys_tkill(nobody, 0), -ESRCH, "tkill(nobody, 0)");
    expect(sys_tkill(tid, NSIG_MAX + 1), -EINVAL, "tkill(self, 65)");
    expect(sys_tgkill(0, tid, SIGWINCH), -EINVAL, "tgkill(0, tid)");
    expect(sys_tgkill(pid, 0, SIGWINCH), -EINVAL, "tgkill(pid, 0)");
    expect(sys_tgkill(nobody, tid, 0), -ESRCH, "tgkill(another group, tid)");
    expect(sys_tgkill(pid, tid, NSIG_MAX + 1), -EINVAL, "tgkill(self, 65)");
    say("signal_self: kill errors");
}

int main(void)
{
    long pid = sys_getpid(), tid = sys_gettid();
    self_signals_that_are_ignored(pid, tid);
    ignored_and_blocked_sigterm(pid, tid);
    caught_signals(pid);
    sigaction_round_trip();
    sigprocmask_arithmetic();
    kill_errors(pid, tid);
    return finish("signal_self");
}
