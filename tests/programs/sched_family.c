/* sched_family — fork, wait, exit statuses, kill of a child, orphans, process groups and vfork
 * (issue 9 §2–§4), each checked against Linux's answers:
 *   - fork: 0 in the child, its pid in the parent; the child's getppid is the parent; a write
 *     in the child is not seen by the parent (copy-on-write);
 *   - wait4: ECHILD without children; WNOHANG answers 0 while the child lives; the statuses
 *     of exit(7), of SIGKILL and SIGTERM sent by the parent while the child sleeps, of SIGSEGV;
 *     SIGCHLD and an ignored SIGTERM do not end a child; waitid's siginfo;
 *   - an orphan is reparented to the reaper (this process: PR_SET_CHILD_SUBREAPER natively,
 *     the launch's first process on our kernel) and reaped by it;
 *   - process groups: setpgid/getpgid/getpgrp/getsid/setsid, kill(-pgid);
 *   - vfork: the parent resumes after the child's exit, with its status;
 *   - each process keeps its own GS base and SSE registers while the other runs.
 * Status 0. */
#include "rt.h"
#include "signals.h"
#include "sched.h"

static int exits_with(long code) { return (int)code; }

static int sleeps_then_exits(long ms)
{
    sleep_ms((unsigned long)ms);
    return 3;
}

static int faults(long unused)
{
    (void)unused;
    return *(volatile int *)0;
}

static volatile long shared_value = 1;

static int writes_shared(long value)
{
    shared_value = value;
    return shared_value == value ? 0 : 1;
}

static int child_checks_parent(long parent)
{
    return sys_getppid() == parent ? 0 : 1;
}

static void fork_and_exit_codes(void)
{
    long me = sys_getpid();
    expect(sys_wait4(-1, 0, 0), -ECHILD, "wait4 without children");
    long pid = spawn(exits_with, 7);
    check(pid > 0, "fork returns the child's pid");
    int status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 returns the child's pid");
    expect(status, EXITED_WITH(7), "exit(7) status");
    pid = spawn(child_checks_parent, me);
    status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 getppid child");
    expect(status, EXITED_WITH(0), "the child's getppid is the parent");
    pid = spawn(writes_shared, 99);
    status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 writer");
    expect(status, EXITED_WITH(0), "the child saw its own write");
    expect(shared_value, 1, "the parent does not see the child's write");
    pid = spawn(faults, 0);
    status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 faulting child");
    expect(status, KILLED_BY(SIGSEGV), "SIGSEGV status");
}

static void kills(void)
{
    long pid = spawn(sleeps_then_exits, 10000);
    int status = -1;
    expect(sys_wait4(pid, &status, WNOHANG), 0, "WNOHANG while the child sleeps");
    expect(sys_kill(pid, SIGKILL), 0, "kill(child, SIGKILL)");
    expect(sys_wait4(pid, &status, 0), pid, "wait4 killed child");
    expect(status, KILLED_BY(SIGKILL), "SIGKILL status");
    pid = spawn(sleeps_then_exits, 10000);
    sleep_ms(20);
    expect(sys_kill(pid, SIGTERM), 0, "kill(child, SIGTERM)");
    status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 terminated child");
    expect(status, KILLED_BY(SIGTERM), "SIGTERM status");
    pid = spawn(sleeps_then_exits, 50);
    expect(sys_kill(pid, SIGCHLD), 0, "kill(child, SIGCHLD)");
    status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 after SIGCHLD");
    expect(status, EXITED_WITH(3), "SIGCHLD is ignored");
    struct k_sigaction ignore = { .handler = SIG_IGN }, old;
    sys_sigaction(SIGTERM, &ignore, &old);
    pid = spawn(sleeps_then_exits, 50);
    sys_sigaction(SIGTERM, &old, 0);
    expect(sys_kill(pid, SIGTERM), 0, "kill(child ignoring SIGTERM)");
    status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 after an ignored SIGTERM");
    expect(status, EXITED_WITH(3), "an inherited SIG_IGN keeps the child alive");
    expect(sys_kill(pid, 0), -ESRCH, "a reaped child is gone");
    pid = spawn(exits_with, 4);
    struct k_siginfo info;
    for (unsigned i = 0; i < sizeof info; i++) ((char *)&info)[i] = 1;
    expect(sys_waitid(P_PID, pid, &info, WEXITED), 0, "waitid(P_PID, WEXITED)");
    check(info.signo == SIGCHLD && info.code == CLD_EXITED, "waitid: SIGCHLD, CLD_EXITED");
    check(info.pid == pid && info.status == 4, "waitid: the child's pid and status");
    expect(sys_wait4(pid, 0, WNOHANG), -ECHILD, "waitid reaped the child");
}

static int orphan_maker(long shared)
{
    long parent = sys_getpid();
    long grandchild = sys_fork();
    if (grandchild != 0) return 0; /* the middle process ends at once */
    unsigned long start = monotonic_ns();
    while (sys_getppid() == parent && monotonic_ns() - start < 2000000000UL) sleep_ms(1);
    *(volatile long *)shared = sys_getppid();
    sys_exit_group(5);
}

static void orphans(void)
{
    sys2(NR_prctl, PR_SET_CHILD_SUBREAPER, 1); /* natively; our kernel's reaper is this process */
    long shared = map_anon(PAGE, RW);
    long shared_mapping = sys6(NR_mmap, 0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!is_err(shared_mapping)) shared = shared_mapping;
    *(volatile long *)shared = 0; /* present before the fork */
    long pid = spawn(orphan_maker, shared);
    int status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 middle process");
    expect(status, EXITED_WITH(0), "the middle process exits 0");
    status = -1;
    long orphan = sys_wait4(-1, &status, 0);
    check(orphan > 0 && orphan != pid, "the orphan is reaped by its new parent");
    expect(status, EXITED_WITH(5), "the orphan's status");
    expect(*(volatile long *)shared, sys_getpid(), "the orphan's getppid is its new parent");
}

static int group_child(long unused)
{
    (void)unused;
    long me = sys_getpid();
    if (sys_setpgid(0, 0) != 0 || sys_getpgid(0) != me || sys_getpgrp() != me) return 1;
    sleep_ms(10000);
    return 2;
}

static int session_child(long parent_session)
{
    long me = sys_getpid();
    if (sys_getsid(0) != parent_session) return 1;
    if (sys_setsid() != me) return 2;
    if (sys_getsid(0) != me || sys_getpgid(0) != me) return 3;
    if (sys_setsid() != -EPERM) return 4;
    return 0;
}

static void groups(void)
{
    long me = sys_getpid();
    expect(sys_getpgid(0), sys_getpgrp(), "getpgid(0) is getpgrp");
    expect(sys_getpgid(me), sys_getpgrp(), "getpgid(self)");
    expect(sys_getpgid(0x3fffffff), -ESRCH, "getpgid of no process");
    expect(sys_getsid(0x3fffffff), -ESRCH, "getsid of no process");
    expect(sys_setpgid(-1, 0), -EINVAL, "setpgid(-1)");
    long pid = spawn(group_child, 0);
    long set = sys_setpgid(pid, pid); /* both sides may do it first, as shells do */
    check(set == 0 || set == -EACCES, "setpgid(child, child)");
    expect(sys_getpgid(pid), pid, "the child leads its own group");
    expect(sys_getsid(pid), sys_getsid(0), "the child is in the parent's session");
    sleep_ms(20);
    expect(sys_kill(-pid, SIGKILL), 0, "kill(-pgid, SIGKILL)");
    int status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 group child");
    expect(status, KILLED_BY(SIGKILL), "the group was killed");
    expect(sys_kill(-pid, SIGKILL), -ESRCH, "kill of an empty group");
    pid = spawn(session_child, sys_getsid(0));
    status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 session child");
    expect(status, EXITED_WITH(0), "setsid in a child");
}

static void vforks(void)
{
    long pid = vfork_and_exit(42);
    check(pid > 0, "vfork returns the child's pid");
    int status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 vfork child");
    expect(status, EXITED_WITH(42), "the vfork child's status");
}


/* Loads `value` into XMM0, sleeps `ms` (another process runs), returns XMM0's low word: one asm
 * block, so no compiler-generated SSE code can come between. */
static unsigned long xmm0_across_sleep(unsigned long value, unsigned long ms)
{
    struct k_timespec request = { 0, (long)ms * 1000000L };
    unsigned long out;
    long ret;
    __asm__ volatile("movq %2, %%xmm0\n"
                     "syscall\n"
                     "movq %%xmm0, %1\n"
                     : "=a"(ret), "=r"(out)
                     : "r"(value), "a"((long)NR_nanosleep), "D"(&request), "S"(0L)
#ifdef RT_RAW /* -mgeneral-regs-only: the compiler uses no SSE register, nor may it name one */
                     : "rcx", "r11", "memory");
#else
                     : "rcx", "r11", "xmm0", "memory");
#endif
    (void)ret;
    return out;
}

static unsigned long gs_across_sleep(unsigned long base, unsigned long ms)
{
    unsigned long now = 0;
    sys2(NR_arch_prctl, ARCH_SET_GS, base);
    sleep_ms(ms);
    sys2(NR_arch_prctl, ARCH_GET_GS, &now);
    return now;
}

static int isolated_child(long unused)
{
    (void)unused;
    int wrong = 0;
    if (gs_across_sleep(0x2222000, 30) != 0x2222000) wrong |= 1;
    if (xmm0_across_sleep(0x2222222222UL, 30) != 0x2222222222UL) wrong |= 2;
    return wrong;
}

static void isolation(void)
{
    long pid = spawn(isolated_child, 0);
    expect(gs_across_sleep(0x1111000, 40), 0x1111000, "the GS base is the process's own");
    expect(xmm0_across_sleep(0x1111111111UL, 40), 0x1111111111UL, "XMM0 is the process's own");
    int status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "wait4 isolation child");
    expect(status, EXITED_WITH(0), "the child kept its GS base and XMM0");
    sys2(NR_arch_prctl, ARCH_SET_GS, 0);
}

int main(void)
{
    fork_and_exit_codes();
    kills();
    orphans();
    groups();
    vforks();
    isolation();
    return finish("sched_family");
}
