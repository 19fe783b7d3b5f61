/* signal_waits — the calls that wait for signals or because of them (issue 10 §1), one mode
 * per run (argv[1]); every expectation is Linux 6.1's:
 *   timers     alarm's answers (rounded as alarm_setitimer: never 0 while one is pending),
 *              alarm(0) cancels; setitimer / getitimer (EINVAL for bad timevals and `which`,
 *              the old value, a null new value disarms, microseconds truncated, ITIMER_VIRTUAL
 *              reads disarmed); an expired periodic timer whose SIGALRM is ignored stops, one
 *              whose SIGALRM stays blocked waits (getitimer 0) until the signal is taken;
 *              a forked child has no timer; execve keeps it (mode exec-kept).
 *   alarm-kill a one-shot ITIMER_REAL ends a process asleep in nanosleep (SIGALRM, 142).
 *   timedwait  rt_sigtimedwait: a timeout (EAGAIN, after at least the timeout), a pending
 *              signal taken with its siginfo (SI_USER, pid), the lowest first, others left
 *              pending; EINVAL; a signal sent by another process wakes it; SIGALRMs of a
 *              periodic timer counted in a window (si_code SI_KERNEL).
 *   children   SIGCHLD's siginfo at a child's exit and kill (through rt_sigtimedwait); no
 *              zombies when SIGCHLD is SIG_IGN or has SA_NOCLDWAIT (wait4: ECHILD).
 *   handlers   with handlers (a handler sets a flag): rt_sigsuspend (the mask replaced while
 *              it waits, restored after, EINTR), pause (EINTR), nanosleep interrupted (EINTR,
 *              the time left in `rem`), pipe read and wait4 (EINTR, or restarted with
 *              SA_RESTART), poll and select (EINTR even with SA_RESTART), rt_sigtimedwait
 *              (EINTR when another signal's handler runs), a periodic timer's handler count.
 * Timing checks are one-sided or wide (a slow machine only makes waits longer). Status 0, or
 * 142 for alarm-kill. */
#include "rt.h"
#include "proc.h"

enum {
    NR_pause = 34, NR_getitimer = 36, NR_alarm = 37, NR_setitimer = 38, NR_rt_sigtimedwait = 128,
    NR_rt_sigsuspend = 130, NR_restart_syscall = 219, NR_pselect6 = 270, NR_ppoll = 271,
};
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
#define EINTR 4
#define SI_USER 0
#define SI_KERNEL 0x80

struct rt_itimerval { struct rt_timeval it_interval, it_value; };

static long sys_alarm(unsigned long seconds) { return sys1(NR_alarm, seconds); }
static long sys_getitimer(long which, struct rt_itimerval *v) { return sys2(NR_getitimer, which, v); }
static long sys_setitimer(long which, const struct rt_itimerval *v, struct rt_itimerval *old)
{
    return sys3(NR_setitimer, which, v, old);
}
static long sys_sigtimedwait(const unsigned long *set, struct rt_siginfo *info,
                             const struct rt_timespec *timeout)
{
    return sys4(NR_rt_sigtimedwait, set, info, timeout, SIGSET_SIZE);
}
static long sys_sigsuspend(const unsigned long *mask) { return sys2(NR_rt_sigsuspend, mask, SIGSET_SIZE); }
static long sys_pause(void) { return sys0(NR_pause); }

static long usec_of(struct rt_timeval t) { return t.tv_sec * 1000000L + t.tv_usec; }

/* Arms ITIMER_REAL for `value_us`, then every `interval_us`. */
static long arm_us(long value_us, long interval_us)
{
    struct rt_itimerval v = { { interval_us / 1000000, interval_us % 1000000 },
                              { value_us / 1000000, value_us % 1000000 } };
    return sys_setitimer(ITIMER_REAL, &v, 0);
}

static struct rt_itimerval current_timer(void)
{
    struct rt_itimerval v = { { -1, -1 }, { -1, -1 } };
    expect(sys_getitimer(ITIMER_REAL, &v), 0, "getitimer(ITIMER_REAL)");
    return v;
}

static void block(int sig)
{
    unsigned long set = SIGBIT(sig);
    expect(sys_sigprocmask(SIG_BLOCK, &set, 0), 0, "block a signal");
}

static void unblock(int sig)
{
    unsigned long set = SIGBIT(sig);
    expect(sys_sigprocmask(SIG_UNBLOCK, &set, 0), 0, "unblock a signal");
}

/* ---------------------------------------------------------------- timers */

static void alarm_answers(void)
{
    expect(sys_alarm(0), 0, "alarm(0) with no alarm: 0");
    expect(sys_alarm(100), 0, "alarm(100): no alarm before");
    expect(sys_alarm(7), 100, "alarm(7) after alarm(100): 100 left (rounded)");
    expect(sys_alarm(0), 7, "alarm(0) cancels: 7 left");
    expect(sys_alarm(0), 0, "cancelled: nothing left");
    struct rt_itimerval v = current_timer();
    check(usec_of(v.it_value) == 0 && usec_of(v.it_interval) == 0, "alarm(0) left no timer");
    /* Under a second left still answers 1; 1.4 s answers 1, 1.6 s answers 2. */
    arm_us(400000, 0);
    expect(sys_alarm(0), 1, "alarm(0) with 0.4 s left: 1, never 0");
    arm_us(1400000, 0);
    expect(sys_alarm(0), 1, "alarm(0) with 1.4 s left: 1");
    arm_us(1900000, 0);
    expect(sys_alarm(0), 2, "alarm(0) with 1.9 s left: 2");
    /* A cancelled alarm never fires (SIGALRM's default would end the process). */
    sys_alarm(1);
    sys_alarm(0);
    arm_us(20000, 0);
    arm_us(0, 0);
    expect(sleep_ms(60), 0, "a sleep past cancelled timers ends normally");
    expect(sys0(NR_restart_syscall), -EINTR, "restart_syscall with nothing to resume: EINTR");
    say("signal_waits: alarm answers and cancels");
}

static void itimer_values(void)
{
    struct rt_itimerval v = { { 0, 0 }, { 0, 1000000 } };
    expect(sys_setitimer(ITIMER_REAL, &v, 0), -EINVAL, "setitimer tv_usec 1000000: EINVAL");
    v.it_value.tv_usec = -1;
    expect(sys_setitimer(ITIMER_REAL, &v, 0), -EINVAL, "setitimer tv_usec -1: EINVAL");
    v.it_value = (struct rt_timeval){ -1, 0 };
    expect(sys_setitimer(ITIMER_REAL, &v, 0), -EINVAL, "setitimer tv_sec -1: EINVAL");
    v = (struct rt_itimerval){ { 0, 1000000 }, { 1, 0 } };
    expect(sys_setitimer(ITIMER_REAL, &v, 0), -EINVAL, "setitimer bad interval: EINVAL");
    v = (struct rt_itimerval){ { 0, 0 }, { 0, 0 } };
    expect(sys_setitimer(3, &v, 0), -EINVAL, "setitimer which 3: EINVAL");
    expect(sys_getitimer(3, &v), -EINVAL, "getitimer which 3: EINVAL");
    expect(sys_getitimer(-1, &v), -EINVAL, "getitimer which -1: EINVAL");
    expect(sys_getitimer(ITIMER_REAL, (void *)8), -EFAULT, "getitimer into page 0: EFAULT");
    expect(sys_setitimer(ITIMER_REAL, (void *)8, 0), -EFAULT, "setitimer from page 0: EFAULT");
    v = (struct rt_itimerval){ { 9, 9 }, { 9, 9 } };
    expect(sys_getitimer(ITIMER_VIRTUAL, &v), 0, "getitimer(ITIMER_VIRTUAL)");
    check(usec_of(v.it_value) == 0 && usec_of(v.it_interval) == 0, "ITIMER_VIRTUAL disarmed");
    expect(sys_getitimer(ITIMER_PROF, &v), 0, "getitimer(ITIMER_PROF)");

    /* The value counts down, the interval reads back as set, the old value comes back. */
    v = (struct rt_itimerval){ { 2, 500001 }, { 5, 500000 } };
    expect(sys_setitimer(ITIMER_REAL, &v, 0), 0, "setitimer 5.5 s every 2.500001 s");
    struct rt_itimerval now = current_timer();
    check(now.it_interval.tv_sec == 2 && now.it_interval.tv_usec == 500001, "interval read back exactly");
    check(usec_of(now.it_value) <= 5500000 && usec_of(now.it_value) > 5000000, "value counts down from 5.5 s");
    check(now.it_value.tv_usec >= 0 && now.it_value.tv_usec < 1000000, "value a normalised timeval");
    struct rt_itimerval old = { { -1, -1 }, { -1, -1 } };
    v = (struct rt_itimerval){ { 0, 0 }, { 30, 0 } };
    expect(sys_setitimer(ITIMER_REAL, &v, &old), 0, "setitimer 30 s with the old value");
    check(old.it_interval.tv_sec == 2 && old.it_interval.tv_usec == 500001, "old interval");
    check(usec_of(old.it_value) <= 5500000 && usec_of(old.it_value) > 5000000, "old value");
    expect(sys_setitimer(ITIMER_REAL, 0, &old), 0, "setitimer with a null value disarms");
    check(old.it_value.tv_sec <= 30 && old.it_value.tv_sec >= 29 && usec_of(old.it_interval) == 0,
          "old value of the 30 s one-shot");
    now = current_timer();
    check(usec_of(now.it_value) == 0, "disarmed by the null value");
    /* A zero value disarms and forgets the interval. */
    v = (struct rt_itimerval){ { 1, 0 }, { 0, 0 } };
    expect(sys_setitimer(ITIMER_REAL, &v, 0), 0, "setitimer value 0 with an interval");
    now = current_timer();
    check(usec_of(now.it_value) == 0 && usec_of(now.it_interval) == 0, "value 0: interval dropped too");
    say("signal_waits: itimer values");
}

/* Linux re-arms a periodic ITIMER_REAL when its SIGALRM is taken (dequeue_signal): ignored,
 * the signal is discarded and the timer stops; blocked, the timer waits for it. */
static void itimer_rearm_rules(void)
{
    expect(set_disposition(SIGALRM, SIG_IGN), 0, "SIGALRM ignored");
    arm_us(10000, 10000);
    sleep_ms(60);
    struct rt_itimerval now = current_timer();
    check(usec_of(now.it_value) == 0 && usec_of(now.it_interval) == 10000,
          "an ignored SIGALRM stops the periodic timer (value 0, interval kept)");
    arm_us(0, 0);
    expect(set_disposition(SIGALRM, SIG_DFL), 0, "SIGALRM default");

    block(SIGALRM);
    arm_us(10000, 10000);
    sleep_ms(60);
    now = current_timer();
    check(usec_of(now.it_value) == 0, "a blocked pending SIGALRM holds the periodic timer");
    check(pending_signals() == SIGBIT(SIGALRM), "SIGALRM pending once");
    unsigned long set = SIGBIT(SIGALRM);
    struct rt_siginfo info = { 0 };
    struct rt_timespec zero = { 0, 0 };
    expect(sys_sigtimedwait(&set, &info, &zero), SIGALRM, "rt_sigtimedwait takes the SIGALRM");
    check(info.si_code == SI_KERNEL, "an itimer's SIGALRM: si_code SI_KERNEL");
    now = current_timer();
    check(usec_of(now.it_value) > 0 && usec_of(now.it_value) <= 10000,
          "taking the SIGALRM re-armed the timer within one interval");
    arm_us(0, 0);
    zero.tv_nsec = 0;
    sys_sigtimedwait(&set, &info, &zero); /* a SIGALRM that came meanwhile */
    unblock(SIGALRM);
    say("signal_waits: periodic timer re-armed as Linux");
}

static void fork_drops_the_timer(void)
{
    arm_us(20000000, 0);
    int failures = rt_failures;
    long pid = sys_fork();
    if (pid == 0) {
        struct rt_itimerval v = current_timer();
        check(usec_of(v.it_value) == 0, "a forked child has no ITIMER_REAL");
        expect(sys_alarm(0), 0, "the child's alarm(0): nothing pending");
        child_exit(failures);
    }
    reap_expect(pid, 0, "forked child without the parent's timer");
    struct rt_itimerval v = current_timer();
    check(usec_of(v.it_value) > 19000000, "the parent keeps its timer");
    say("signal_waits: fork does not inherit the timer");
}

static int exec_keeps_the_timer(char **argv)
{
    arm_us(20000000, 3000000);
    char *args[] = { argv[0], "exec-kept", 0 };
    char *env[] = { 0 };
    long r = sys_execve(argv[0], args, env);
    say("FAIL: execve(argv[0]) = %E", r);
    return 1;
}

static int exec_kept(void)
{
    struct rt_itimerval v = current_timer();
    check(usec_of(v.it_value) > 15000000 && usec_of(v.it_value) <= 20000000, "execve kept the value");
    check(usec_of(v.it_interval) == 3000000, "execve kept the interval");
    arm_us(0, 0);
    say("signal_waits: execve keeps the timer");
    return finish("signal_waits");
}

/* ---------------------------------------------------------------- alarm-kill */

static int alarm_kill(void)
{
    say("signal_waits: sleeping with a 50 ms ITIMER_REAL");
    arm_us(50000, 0);
    long r = sleep_ms(5000);
    say("FAIL: survived SIGALRM, nanosleep = %E", r);
    return 1;
}

/* ---------------------------------------------------------------- timedwait */

static void timedwait_basics(long pid)
{
    unsigned long set = SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2) | SIGBIT(SIGTERM);
    expect(sys_sigprocmask(SIG_BLOCK, &set, 0), 0, "block USR1, USR2, TERM");
    struct rt_siginfo info;
    struct rt_timespec t = { 0, 30000000 };
    long start = now_ns();
    expect(sys_sigtimedwait(&set, &info, &t), -EAGAIN, "nothing pending: EAGAIN at the timeout");
    check(now_ns() - start >= 30000000, "the timeout was waited out");
    t = (struct rt_timespec){ 0, 0 };
    expect(sys_sigtimedwait(&set, &info, &t), -EAGAIN, "zero timeout: EAGAIN at once");
    t.tv_nsec = 1000000000;
    expect(sys_sigtimedwait(&set, &info, &t), -EINVAL, "tv_nsec 1e9: EINVAL");
    t.tv_nsec = 0;
    expect(sys4(NR_rt_sigtimedwait, &set, &info, &t, 4), -EINVAL, "sigsetsize 4: EINVAL");

    sys_kill(pid, SIGUSR2);
    sys_kill(pid, SIGTERM);
    sys_kill(pid, SIGUSR1);
    unsigned long only_usr = SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2);
    for (int i = 0; i < 32; i++) ((int *)&info)[i] = -1;
    expect(sys_sigtimedwait(&only_usr, &info, &t), SIGUSR1, "the lowest pending of the set first");
    check(info.si_signo == SIGUSR1 && info.si_code == SI_USER && info.si_pid == pid && info.si_uid == sys0(NR_getuid),
          "siginfo: signo, SI_USER, the sender's pid and uid");
    expect(sys_sigtimedwait(&only_usr, 0, &t), SIGUSR2, "then SIGUSR2 (no siginfo asked)");
    check(pending_signals() == SIGBIT(SIGTERM), "SIGTERM, outside the set, still pending");
    expect(sys_sigtimedwait(&set, &info, 0), SIGTERM, "no timeout: takes SIGTERM at once");
    check(pending_signals() == 0, "nothing pending");
    say("signal_waits: rt_sigtimedwait timeout, order, siginfo");
}

static void timedwait_wakes_for_another_process(long pid)
{
    int failures = rt_failures;
    long child = sys_fork();
    if (child == 0) {
        sleep_ms(50);
        expect(sys_kill(pid, SIGUSR2), 0, "child: kill(parent, SIGUSR2)");
        child_exit(failures);
    }
    unsigned long set = SIGBIT(SIGUSR2);
    struct rt_siginfo info = { 0 };
    struct rt_timespec t = { 20, 0 };
    long start = now_ns();
    expect(sys_sigtimedwait(&set, &info, &t), SIGUSR2, "woken by another process's SIGUSR2");
    check(info.si_pid == child && info.si_code == SI_USER, "siginfo names the child");
    check(now_ns() - start < 10000000000L, "woken long before the timeout");
    reap_expect(child, 0, "the signalling child");
    say("signal_waits: rt_sigtimedwait woken by another process");
}

static void timedwait_counts_a_periodic_timer(void)
{
    block(SIGALRM);
    unsigned long set = SIGBIT(SIGALRM);
    struct rt_siginfo info;
    struct rt_timespec t = { 2, 0 };
    arm_us(20000, 20000);
    long start = now_ns();
    int count = 0;
    while (now_ns() - start < 1000000000L) {
        long r = sys_sigtimedwait(&set, &info, &t);
        if (r != SIGALRM) { expect(r, SIGALRM, "rt_sigtimedwait for the periodic SIGALRM"); break; }
        if (count == 0) check(info.si_code == SI_KERNEL, "SIGALRM si_code SI_KERNEL");
        count++;
    }
    long elapsed_ms = (now_ns() - start) / 1000000;
    arm_us(0, 0);
    t = (struct rt_timespec){ 0, 0 };
    sys_sigtimedwait(&set, &info, &t);
    /* 20 ms periods in a >= 1 s window: at most one per period (never a burst), and at least
     * a few even on a slow machine (a late one skips, it does not pile up). */
    check(count <= elapsed_ms / 20 + 1, "no more SIGALRMs than periods");
    check(count >= 5, "a periodic SIGALRM every 20 ms: at least 5 of the 50 in 1 s");
    say("signal_waits: periodic SIGALRM taken %s", count >= 5 ? "in every period" : "too rarely");
    unblock(SIGALRM);
}

/* ---------------------------------------------------------------- children */

/* SIGCHLD at a child's end: its siginfo (CLD_EXITED / CLD_KILLED, pid, status) through
 * rt_sigtimedwait; no zombie under SIG_IGN or SA_NOCLDWAIT (wait4 then answers ECHILD once
 * the children are gone). */
static void sigchld_info(void)
{
    block(SIGCHLD);
    unsigned long set = SIGBIT(SIGCHLD);
    struct rt_siginfo info = { 0 };
    struct rt_timespec t = { 20, 0 };
    long child = sys_fork();
    if (child == 0) sys_exit_group(3);
    expect(sys_sigtimedwait(&set, &info, &t), SIGCHLD, "SIGCHLD at the child's exit");
    check(info.si_code == CLD_EXITED && info.si_pid == child && info.si_status == 3,
          "SIGCHLD siginfo: CLD_EXITED, the child's pid, status 3");
    reap_expect(child, 3, "the child, still a zombie");

    child = sys_fork();
    if (child == 0) {
        sleep_ms(10000);
        sys_exit_group(0);
    }
    sys_kill(child, SIGTERM);
    expect(sys_sigtimedwait(&set, &info, &t), SIGCHLD, "SIGCHLD at the child's kill");
    check(info.si_code == CLD_KILLED && info.si_pid == child && info.si_status == SIGTERM,
          "SIGCHLD siginfo: CLD_KILLED, status SIGTERM");
    reap_expect_signal(child, SIGTERM, "the killed child");
    unblock(SIGCHLD);
    say("signal_waits: SIGCHLD siginfo");
}

static void no_zombies(void)
{
    for (int round = 0; round < 2; round++) {
        struct k_sigaction act = { round == 0 ? SIG_IGN : SIG_DFL, round == 0 ? 0 : 0x2 /* SA_NOCLDWAIT */, 0, 0 };
        expect(sys_sigaction(SIGCHLD, &act, 0), 0, round == 0 ? "SIGCHLD SIG_IGN" : "SIGCHLD SA_NOCLDWAIT");
        long first = sys_fork();
        if (first == 0) sys_exit_group(0);
        long second = sys_fork();
        if (second == 0) {
            sleep_ms(50);
            sys_exit_group(0);
        }
        int status = -1;
        expect(sys_wait4(-1, &status, 0), -ECHILD,
               round == 0 ? "SIG_IGN: wait4 waits for the children, then ECHILD"
                          : "SA_NOCLDWAIT: wait4 waits for the children, then ECHILD");
        expect(sys_wait4(first, &status, WNOHANG), -ECHILD, "no zombie left of the first");
    }
    expect(set_disposition(SIGCHLD, SIG_DFL), 0, "SIGCHLD default");
    long child = sys_fork();
    if (child == 0) sys_exit_group(4);
    reap_expect(child, 4, "with SIG_DFL the child is a zombie until reaped");
    say("signal_waits: no zombies under SIG_IGN and SA_NOCLDWAIT");
}

/* ---------------------------------------------------------------- handlers */

static volatile int caught[NSIG_MAX + 1];
static void count_signal(int sig) { caught[sig]++; }
static unsigned long mask_in_handler;
static void note_mask(int sig)
{
    caught[sig]++;
    sys_sigprocmask(SIG_BLOCK, 0, &mask_in_handler);
}

void waits_restorer(void);
__asm__(".text\n"
        ".type waits_restorer,@function\n"
        "waits_restorer:\n"
        "    movl $15, %eax\n" /* NR_rt_sigreturn */
        "    syscall\n"
        "    hlt\n");

static void catch(int sig, void (*handler)(int), unsigned long flags)
{
    struct k_sigaction act = { (unsigned long)handler, SA_RESTORER | flags, (unsigned long)waits_restorer, 0 };
    expect(sys_sigaction(sig, &act, 0), 0, "install a handler");
}

/* A child that sends the parent `sig` every 40 ms, `times` times (0: until it is stopped),
 * then writes a byte to `fd` if fd >= 0 and exits 0. Repeating, not once: on a loaded machine
 * the parent may reach its blocking call late, and a signal that came before the call only
 * runs the handler early; a later one interrupts the call. */
static long signal_repeatedly(long parent, int sig, int times, int fd)
{
    long child = sys_fork();
    if (child == 0) {
        for (int sent = 0; times == 0 || sent < times; sent++) {
            sleep_ms(40);
            sys_kill(parent, sig);
        }
        if (fd >= 0) sys_write(fd, "x", 1);
        sys_exit_group(0);
    }
    return child;
}

/* Ends and reaps a signalling child. */
static void stop_signalling(long child)
{
    sys_kill(child, SIGKILL);
    int status = -1;
    expect(sys_wait4(child, &status, 0), child, "reap the signalling child");
}

static void suspend_and_pause(long pid)
{
    catch(SIGUSR1, note_mask, 0);
    unsigned long usr1 = SIGBIT(SIGUSR1), old = 0;
    sys_sigprocmask(SIG_SETMASK, &usr1, &old);
    sys_kill(pid, SIGUSR1); /* pending, blocked */
    caught[SIGUSR1] = 0;
    unsigned long suspend_mask = SIGBIT(SIGUSR2);
    expect(sys_sigsuspend(&suspend_mask), -EINTR, "rt_sigsuspend with USR1 pending: EINTR");
    check(caught[SIGUSR1] == 1, "the handler ran once inside rt_sigsuspend");
    check(mask_in_handler == (SIGBIT(SIGUSR2) | SIGBIT(SIGUSR1)),
          "in the handler: the suspend mask plus the signal itself");
    unsigned long after = 0;
    sys_sigprocmask(SIG_BLOCK, 0, &after);
    check(after == SIGBIT(SIGUSR1), "after rt_sigsuspend the old mask is back");

    long child = signal_repeatedly(pid, SIGUSR1, 1, -1); /* blocked until the suspend */
    unsigned long none = 0;
    expect(sys_sigsuspend(&none), -EINTR, "rt_sigsuspend woken by another process's signal");
    check(caught[SIGUSR1] == 2, "its handler ran");
    stop_signalling(child);
    sys_sigprocmask(SIG_SETMASK, &old, 0);

    catch(SIGUSR2, count_signal, SA_RESTART);
    caught[SIGUSR2] = 0;
    child = signal_repeatedly(pid, SIGUSR2, 0, -1);
    expect(sys_pause(), -EINTR, "pause: EINTR after a handler, SA_RESTART or not");
    check(caught[SIGUSR2] >= 1, "pause's handler ran");
    stop_signalling(child);
    say("signal_waits: rt_sigsuspend and pause");
}

static void sleep_interrupted(void)
{
    catch(SIGALRM, count_signal, SA_RESTART);
    caught[SIGALRM] = 0;
    arm_us(100000, 100000); /* periodic: one lands in the sleep however late it starts */
    struct rt_timespec request = { 2, 0 }, rem = { -1, -1 };
    long start = now_ns();
    expect(sys2(NR_nanosleep, &request, &rem), -EINTR, "nanosleep interrupted by a handler: EINTR (SA_RESTART too)");
    long slept = now_ns() - start;
    arm_us(0, 0);
    long left = rem.tv_sec * 1000000000L + rem.tv_nsec;
    check(caught[SIGALRM] >= 1, "the SIGALRM handler ran");
    check(left > 0 && left < 2000000000L, "rem: some of the request left, not all");
    check(left + slept >= 1990000000L && left + slept <= 3000000000L, "rem + time slept ~ the request");
    check(rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L, "rem normalised");
    say("signal_waits: nanosleep interrupted with the time left");
}

static void read_and_wait_interrupted(long pid)
{
    int fds[2];
    for (int restart = 0; restart <= 1; restart++) {
        catch(SIGUSR1, count_signal, restart ? SA_RESTART : 0);
        caught[SIGUSR1] = 0;
        expect(sys_pipe2(fds, 0), 0, "pipe2");
        long child = signal_repeatedly(pid, SIGUSR1, restart ? 3 : 0, restart ? fds[1] : -1);
        char byte = 0;
        long r = sys_read(fds[0], &byte, 1);
        if (restart) expect(r, 1, "pipe read with SA_RESTART: restarted, then the byte");
        else expect(r, -EINTR, "pipe read without SA_RESTART: EINTR");
        check(caught[SIGUSR1] >= 1, "the handler ran during the read");
        stop_signalling(child);
        sys_close(fds[0]);
        sys_close(fds[1]);

        caught[SIGUSR1] = 0;
        long sleeper = sys_fork();
        if (sleeper == 0) {
            sleep_ms(restart ? 300 : 20000);
            sys_exit_group(0);
        }
        child = signal_repeatedly(pid, SIGUSR1, 0, -1);
        int status = -1;
        r = sys_wait4(sleeper, &status, 0);
        if (restart) {
            expect(r, sleeper, "wait4 with SA_RESTART: restarted, reaps the sleeper");
        } else {
            expect(r, -EINTR, "wait4 without SA_RESTART: EINTR");
            sys_kill(sleeper, SIGKILL);
            reap_expect_signal(sleeper, SIGKILL, "the sleeper, reaped after the EINTR");
        }
        check(caught[SIGUSR1] >= 1, "the handler ran during wait4");
        stop_signalling(child);
    }
    say("signal_waits: read and wait4: EINTR, or restarted with SA_RESTART");
}

static void poll_select_interrupted(long pid)
{
    int fds[2];
    catch(SIGUSR1, count_signal, SA_RESTART);
    expect(sys_pipe2(fds, 0), 0, "pipe2");
    caught[SIGUSR1] = 0;
    long child = signal_repeatedly(pid, SIGUSR1, 0, -1);
    struct rt_pollfd p = { fds[0], POLLIN, 0 };
    expect(sys_poll(&p, 1, 5000), -EINTR, "poll interrupted: EINTR even with SA_RESTART");
    check(caught[SIGUSR1] >= 1, "the handler ran during poll");
    stop_signalling(child);

    caught[SIGUSR1] = 0;
    child = signal_repeatedly(pid, SIGUSR1, 0, -1);
    unsigned long readset = 1UL << fds[0];
    struct rt_timeval tv = { 5, 0 };
    expect(sys6(NR_select, fds[0] + 1, (long)&readset, 0, 0, (long)&tv, 0), -EINTR,
           "select interrupted: EINTR even with SA_RESTART");
    check(caught[SIGUSR1] >= 1, "the handler ran during select");
    check(usec_of(tv) < 5000000 && usec_of(tv) > 0, "select wrote the time left back");
    stop_signalling(child);
    sys_close(fds[0]);
    sys_close(fds[1]);
    say("signal_waits: poll and select: EINTR");
}

/* ppoll and pselect6 wait with their own mask: one that unblocks a pending signal ends the
 * wait at once (EINTR after its handler, which runs with the call's mask), and the old mask is
 * back afterwards. A wrong sigsetsize is EINVAL. */
static void masked_polls(long pid)
{
    int fds[2];
    catch(SIGUSR1, note_mask, SA_RESTART);
    expect(sys_pipe2(fds, 0), 0, "pipe2");
    unsigned long usr1 = SIGBIT(SIGUSR1), old = 0, none = 0, after = 0;
    sys_sigprocmask(SIG_SETMASK, &usr1, &old);
    struct rt_pollfd p = { fds[0], POLLIN, 0 };
    struct rt_timespec t = { 5, 0 };
    expect(sys6(NR_ppoll, (long)&p, 1, (long)&t, (long)&none, 4, 0), -EINVAL, "ppoll sigsetsize 4: EINVAL");
    for (int call = 0; call < 2; call++) {
        sys_kill(pid, SIGUSR1);
        caught[SIGUSR1] = 0;
        mask_in_handler = 0;
        unsigned long usr2 = SIGBIT(SIGUSR2);
        long start = now_ns(), r;
        if (call == 0) {
            r = sys6(NR_ppoll, (long)&p, 1, (long)&t, (long)&usr2, SIGSET_SIZE, 0);
        } else {
            unsigned long readset = 1UL << fds[0];
            struct { unsigned long *set; unsigned long size; } pack = { &usr2, SIGSET_SIZE };
            r = sys6(NR_pselect6, fds[0] + 1, (long)&readset, 0, 0, (long)&t, (long)&pack);
        }
        expect(r, -EINTR, call == 0 ? "ppoll unblocking a pending signal: EINTR" : "pselect6 unblocking a pending signal: EINTR");
        check(now_ns() - start < 2000000000L, "ended at once, not at the timeout");
        check(caught[SIGUSR1] == 1, "the unblocked signal's handler ran");
        check(mask_in_handler == (SIGBIT(SIGUSR2) | SIGBIT(SIGUSR1)), "the handler ran with the call's mask");
        sys_sigprocmask(SIG_BLOCK, 0, &after);
        check(after == SIGBIT(SIGUSR1), "the old mask is back after the call");
    }
    sys_sigprocmask(SIG_SETMASK, &old, 0);
    sys_close(fds[0]);
    sys_close(fds[1]);
    say("signal_waits: ppoll and pselect6 wait with their mask");
}

static void timedwait_interrupted(long pid)
{
    catch(SIGUSR1, count_signal, SA_RESTART);
    caught[SIGUSR1] = 0;
    unsigned long set = SIGBIT(SIGUSR2);
    block(SIGUSR2);
    long child = signal_repeatedly(pid, SIGUSR1, 0, -1);
    struct rt_timespec t = { 5, 0 };
    expect(sys_sigtimedwait(&set, 0, &t), -EINTR, "rt_sigtimedwait: another signal's handler: EINTR");
    check(caught[SIGUSR1] >= 1, "that handler ran");
    stop_signalling(child);
    unblock(SIGUSR2);
    say("signal_waits: rt_sigtimedwait interrupted by a handler");
}

static void periodic_handler(void)
{
    catch(SIGALRM, count_signal, SA_RESTART);
    caught[SIGALRM] = 0;
    arm_us(20000, 20000);
    long start = now_ns();
    while (now_ns() - start < 1000000000L) sys_pause();
    long elapsed_ms = (now_ns() - start) / 1000000;
    arm_us(0, 0);
    int count = caught[SIGALRM];
    check(count <= elapsed_ms / 20 + 1, "handler: no more SIGALRMs than periods");
    check(count >= 5, "handler: a SIGALRM every 20 ms, at least 5 of the 50 in 1 s");
    say("signal_waits: periodic SIGALRM handler");
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "timers";
    long pid = sys_getpid();
    if (rt_streq(mode, "timers")) {
        alarm_answers();
        itimer_values();
        itimer_rearm_rules();
        fork_drops_the_timer();
        return finish("signal_waits");
    }
    if (rt_streq(mode, "exec-keeps")) return exec_keeps_the_timer(argv);
    if (rt_streq(mode, "exec-kept")) return exec_kept();
    if (rt_streq(mode, "alarm-kill")) return alarm_kill();
    if (rt_streq(mode, "timedwait")) {
        timedwait_basics(pid);
        timedwait_wakes_for_another_process(pid);
        timedwait_counts_a_periodic_timer();
        return finish("signal_waits");
    }
    if (rt_streq(mode, "children")) {
        sigchld_info();
        no_zombies();
        return finish("signal_waits");
    }
    if (rt_streq(mode, "handlers")) {
        suspend_and_pause(pid);
        sleep_interrupted();
        read_and_wait_interrupted(pid);
        poll_select_interrupted(pid);
        masked_polls(pid);
        timedwait_interrupted(pid);
        periodic_handler();
        return finish("signal_waits");
    }
    say("FAIL: unknown mode %s", mode);
    return 2;
}
