/* wait_status — what wait4 and waitid report (issue 9 §4, §6):
 *   - exit codes 0, 1, 42, 255 and 259 (only the low 8 bits: 3) through W_EXITED/W_EXITSTATUS;
 *   - death by signal: SIGSEGV of a child reading address 0; SIGKILL sent with kill() to a child
 *     sleeping in nanosleep and to one spinning in user mode; SIGTERM to a spinning child;
 *   - WNOHANG: 0 while the child runs, its pid once it has exited;
 *   - wait4 of one specific pid while another child has already exited; ECHILD for no children,
 *     for a pid that is not our child, and for one already reaped;
 *   - waitid(P_PID) and waitid(P_ALL) with WEXITED: si_signo SIGCHLD, si_code CLD_EXITED or
 *     CLD_KILLED, si_pid, si_status;
 *   - a blocked SIGCHLD is pending once a child has exited;
 *   - getppid in a child is the parent's pid; an orphan (its parent exited) is reparented to
 *     pid 1 (getppid becomes 1).
 * Status 0. */
#include "rt.h"
#include "proc.h"

#define LONG_SLEEP_MS 10000
#define REPARENT_WAIT_MS 5000

static long spawn_exit(int code, long delay_ms)
{
    long pid = sys_fork();
    if (pid == 0) {
        if (delay_ms) sleep_ms(delay_ms);
        sys_exit_group(code);
    }
    expect_ok(pid, "fork");
    return pid;
}

static void exit_codes(void)
{
    static const int codes[] = { 0, 1, 42, 255, 259 };
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        long pid = spawn_exit(codes[i], 0);
        if (pid > 0) reap_expect(pid, codes[i] & 0xff, "exit code");
    }
    say("fork/exit/wait4: exit codes 0 1 42 255 259->3");
}

static void signal_deaths(void)
{
    long pid = sys_fork();
    if (pid == 0) {
        volatile long *null = 0;
        sys_exit_group((int)*null);
    }
    if (expect_ok(pid, "fork (NULL reader)")) reap_expect_signal(pid, SIGSEGV, "child reading address 0");

    pid = sys_fork();
    if (pid == 0) {
        sleep_ms(LONG_SLEEP_MS);
        sys_exit_group(1);
    }
    if (expect_ok(pid, "fork (sleeper)")) {
        sleep_ms(20);
        long start = now_ns();
        expect(sys_kill(pid, SIGKILL), 0, "kill(sleeping child, SIGKILL)");
        reap_expect_signal(pid, SIGKILL, "sleeping child killed");
        check(now_ns() - start < 2000000000L, "a sleeping child dies of SIGKILL at once, not at the end of its sleep");
    }

    static const int spin_signals[] = { SIGKILL, SIGTERM };
    for (unsigned i = 0; i < 2; i++) {
        pid = sys_fork();
        if (pid == 0)
            for (volatile unsigned long n = 0;; n++) {}
        if (!expect_ok(pid, "fork (spinner)")) continue;
        sleep_ms(20);
        expect(sys_kill(pid, spin_signals[i]), 0, "kill(spinning child)");
        reap_expect_signal(pid, spin_signals[i], "spinning child killed");
    }
    say("wait4: SIGSEGV, SIGKILL (sleeping and spinning), SIGTERM reported");
}

static void nohang_and_specific(void)
{
    long pid = spawn_exit(5, 200);
    if (pid > 0) {
        int status = -1;
        expect(sys_wait4(pid, &status, WNOHANG), 0, "wait4 WNOHANG while the child runs");
        long r = 0;
        for (int i = 0; i < 500 && r == 0; i++) {
            sleep_ms(10);
            r = sys_wait4(pid, &status, WNOHANG);
        }
        expect(r, pid, "wait4 WNOHANG once the child has exited");
        check(r == pid && W_EXITED(status) && W_EXITSTATUS(status) == 5, "WNOHANG status: exit 5");
        expect(sys_wait4(pid, &status, 0), -ECHILD, "wait4 of a child already reaped");
    }

    long early = spawn_exit(1, 0), late = spawn_exit(2, 50);
    if (early > 0 && late > 0) {
        sleep_ms(10);
        reap_expect(late, 2, "wait4(specific pid) while another child has exited");
        reap_expect(early, 1, "the other child is still there to be reaped");
    }
    expect(sys_wait4(-1, 0, 0), -ECHILD, "wait4(-1) with no children");
    expect(sys_wait4(sys_getpid(), 0, 0), -ECHILD, "wait4 of our own pid (not a child)");
    expect(sys_wait4(-1, 0, WNOHANG), -ECHILD, "wait4(-1, WNOHANG) with no children");
    say("wait4: WNOHANG, a specific pid, ECHILD");
}

static void check_info(const struct rt_siginfo *info, long pid, int code, int status, const char *what)
{
    rt_checks++;
    if (info->si_signo == SIGCHLD && info->si_pid == pid && info->si_code == code && info->si_status == status) return;
    rt_failures++;
    say("FAIL: %s: signo %d pid %d code %d status %d, want %d %d %d %d", what, info->si_signo,
        info->si_pid, info->si_code, info->si_status, SIGCHLD, (int)pid, code, status);
}

static void waitid_calls(void)
{
    struct rt_siginfo info;
    long pid = spawn_exit(77, 0);
    if (pid > 0) {
        rt_memset(&info, 0, sizeof info);
        expect(sys_waitid(P_PID, pid, &info, WEXITED), 0, "waitid(P_PID, WEXITED)");
        check_info(&info, pid, CLD_EXITED, 77, "waitid(P_PID) of exit(77)");
    }
    pid = sys_fork();
    if (pid == 0) sleep_ms(LONG_SLEEP_MS), sys_exit_group(1);
    if (expect_ok(pid, "fork (for waitid P_ALL)")) {
        expect(sys_kill(pid, SIGKILL), 0, "kill for waitid");
        rt_memset(&info, 0, sizeof info);
        expect(sys_waitid(P_ALL, 0, &info, WEXITED), 0, "waitid(P_ALL, WEXITED)");
        check_info(&info, pid, CLD_KILLED, SIGKILL, "waitid(P_ALL) of a SIGKILLed child");
    }
    rt_memset(&info, 0, sizeof info);
    expect(sys_waitid(P_ALL, 0, &info, WEXITED), -ECHILD, "waitid(P_ALL) with no children");
    expect(sys_waitid(P_ALL, 0, &info, 0), -EINVAL, "waitid without WEXITED/WSTOPPED/WCONTINUED");
    say("waitid: P_PID, P_ALL, CLD_EXITED, CLD_KILLED, ECHILD");
}

/* SIGCHLD is sent to the parent when a child exits: blocked, it stays pending (a blocked signal
 * is never discarded as ignored, even one whose default action is to ignore it). */
static void sigchld_recorded(void)
{
    unsigned long chld = SIGBIT(SIGCHLD), old = 0;
    expect(sys_sigprocmask(SIG_BLOCK, &chld, &old), 0, "block SIGCHLD");
    check(!(pending_signals() & chld), "no SIGCHLD pending before the child");
    long pid = spawn_exit(0, 0);
    if (pid > 0) reap_expect(pid, 0, "child for SIGCHLD");
    check(pending_signals() & chld, "a blocked SIGCHLD is pending once a child has exited");
    expect(sys_sigprocmask(SIG_SETMASK, &old, 0), 0, "unblock SIGCHLD (default action: ignore)");
    check(pending_signals() == 0, "nothing pending once SIGCHLD is unblocked");
    say("wait_status: SIGCHLD recorded for the parent");
}

static void parents(void)
{
    long me = sys_getpid();
    int report[2], ready[2];
    if (!expect(sys_pipe2(report, 0), 0, "pipe2 for the reports")) return;
    if (!expect(sys_pipe2(ready, 0), 0, "pipe2 for the orphan's start")) return;
    long child = sys_fork();
    if (child == 0) {
        long seen[2] = { sys_getppid(), 0 };
        long grandchild = sys_fork();
        if (grandchild == 0) {
            long first = sys_getppid();
            sys_close(ready[1]); /* the middle process exits once this is the last writer gone */
            /* The middle process exits now; wait until the orphan has been reparented. */
            long ppid = first;
            for (int i = 0; i < REPARENT_WAIT_MS && ppid == first; i++) {
                sleep_ms(1);
                ppid = sys_getppid();
            }
            long words[3] = { sys_getpid(), first, ppid };
            sys_write(report[1], words, sizeof words);
            sys_exit_group(0);
        }
        seen[1] = grandchild;
        sys_close(ready[1]);
        char b;
        sys_read(ready[0], &b, 1); /* end of file: the grandchild has read its first getppid */
        sys_write(report[1], seen, sizeof seen);
        sys_exit_group(0);
    }
    sys_close(report[1]);
    sys_close(ready[0]);
    sys_close(ready[1]);
    if (!expect_ok(child, "fork (middle process)")) return;
    long seen[2] = { 0, 0 }, words[3] = { 0, 0, 0 };
    expect(read_full(report[0], seen, sizeof seen), (long)sizeof seen, "read the child's report");
    check(seen[0] == me, "getppid in the child is the parent's pid");
    reap_expect(child, 0, "middle process");
    expect(read_full(report[0], words, sizeof words), (long)sizeof words, "read the orphan's report");
    check(words[0] == seen[1], "the orphan reports its own pid");
    check(words[1] == child, "the grandchild's getppid is its parent before that exits");
    if (!check(words[2] == 1, "the orphan's getppid becomes 1 after its parent exits"))
        say("FAIL: orphan's parent is %d", (int)words[2]);
    sys_close(report[0]);
    /* If we are pid 1 ourselves, the orphan became our child: reap it. */
    if (me == 1) sys_wait4(words[0], 0, 0);
    say("getppid: the parent's pid, then 1 for an orphan");
}

int main(void)
{
    exit_codes();
    signal_deaths();
    nohang_and_specific();
    waitid_calls();
    sigchld_recorded();
    parents();
    return finish("wait_status");
}
