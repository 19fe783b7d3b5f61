/* kill_groups — process groups, sessions and kill() beyond oneself (issue 9 §4):
 *   - getpgrp == getpgid(0) == getpgid(getpid()); a child inherits its parent's group and session;
 *   - setpgid(0, 0) makes a group leader; the parent may move its child into that group;
 *     EINVAL (negative pid or pgid), ESRCH (not us nor our child), EPERM (no such group in the
 *     session, a session leader, a child in another session);
 *   - setsid in a non-leader: new session and group named by the caller's pid; again → EPERM;
 *     in a group leader → EPERM; getsid / getpgid of a pid that does not exist → ESRCH;
 *   - kill(0, SIGTERM) from a group leader that ignores SIGTERM kills the rest of its group;
 *     kill(-pgid, SIGKILL) kills that group only; kill of a pid or group that does not exist →
 *     ESRCH, of a zombie → 0, signal 65 → EINVAL;
 *   - a child with SIGTERM set to SIG_IGN survives kill(child, SIGTERM).
 * kill(0, ...) is only ever sent from a child in a group of its own: natively the program's
 * group is the test runner's. Status 0. */
#include "rt.h"
#include "proc.h"

#define PARK_MS 10000 /* a child parked until it is killed */

/* A pid that no process has: a child's, once reaped (pids are not reused at once). */
static long vanished_pid(void)
{
    long pid = sys_fork();
    if (pid == 0) sys_exit_group(0);
    sys_wait4(pid, 0, 0);
    return pid;
}

static void identity(void)
{
    long me = sys_getpid(), pgrp = sys_getpgrp(), sid = sys_getsid(0);
    expect(sys_getpgid(0), pgrp, "getpgid(0) == getpgrp()");
    expect(sys_getpgid(me), pgrp, "getpgid(getpid()) == getpgrp()");
    expect(sys_getsid(me), sid, "getsid(getpid()) == getsid(0)");
    long gone = vanished_pid();
    expect(sys_getpgid(gone), -ESRCH, "getpgid of a pid that does not exist");
    expect(sys_getsid(gone), -ESRCH, "getsid of a pid that does not exist");
    int f = rt_failures;
    long child = sys_fork();
    if (child == 0) {
        expect(sys_getpgrp(), pgrp, "a child inherits its parent's group");
        expect(sys_getsid(0), sid, "a child inherits its parent's session");
        expect(sys_getpgid(sys_getppid()), pgrp, "getpgid(parent) from the child");
        child_exit(f);
    }
    if (expect_ok(child, "fork")) reap_expect(child, 0, "inheritance child");
    say("kill_groups: getpgrp/getpgid/getsid agree, inherited by a child");
}

static void groups(void)
{
    long gone = vanished_pid();
    expect(sys_setpgid(-1, 0), -EINVAL, "setpgid(-1, 0)");
    expect(sys_setpgid(0, -1), -EINVAL, "setpgid(0, -1)");
    expect(sys_setpgid(gone, 0), -ESRCH, "setpgid of a pid that does not exist");
    expect(sys_setpgid(0, gone), -EPERM, "setpgid into a group that does not exist");

    int ready[2];
    if (!expect(sys_pipe2(ready, 0), 0, "pipe2")) return;
    int f = rt_failures;
    long leader = sys_fork();
    if (leader == 0) {
        expect(sys_setpgid(0, 0), 0, "child: setpgid(0, 0)");
        expect(sys_getpgrp(), sys_getpid(), "child: its own group leader");
        char b = 1;
        sys_write(ready[1], &b, 1);
        sys_close(ready[0]);
        sys_close(ready[1]);
        sleep_ms(PARK_MS);
        child_exit(f);
    }
    if (!expect_ok(leader, "fork the group leader")) return;
    expect(sys_setpgid(leader, leader), 0, "parent: setpgid(child, child) (same as the child's)");
    long member = sys_fork();
    if (member == 0) {
        sleep_ms(PARK_MS);
        sys_exit_group(1);
    }
    expect(sys_setpgid(member, leader), 0, "parent: move the second child into the first one's group");
    expect(sys_getpgid(member), leader, "getpgid(second child) is the group");
    long outsider = sys_fork();
    if (outsider == 0) {
        sleep_ms(300);
        sys_exit_group(0);
    }
    char b;
    expect(sys_read(ready[0], &b, 1), 1, "the leader has checked its group");
    sys_close(ready[0]);
    sys_close(ready[1]);
    expect(sys_kill(-leader, SIGKILL), 0, "kill(-pgid, SIGKILL)");
    reap_expect_signal(leader, SIGKILL, "group leader killed through kill(-pgid)");
    reap_expect_signal(member, SIGKILL, "group member killed through kill(-pgid)");
    reap_expect(outsider, 0, "a child outside the group survives kill(-pgid)");
    expect(sys_kill(-leader, SIGKILL), -ESRCH, "kill(-pgid) of a group with no process left");
    say("kill_groups: setpgid and kill(-pgid) reach exactly the group");
}

static void sessions(void)
{
    long my_sid = sys_getsid(0);
    int f = rt_failures;
    long child = sys_fork();
    if (child == 0) {
        long me = sys_getpid();
        expect(sys_setsid(), me, "setsid in a child returns its pid");
        expect(sys_getsid(0), me, "getsid(0) after setsid");
        expect(sys_getpgrp(), me, "the new session's group is the caller's pid");
        expect(sys_setsid(), -EPERM, "setsid again (already a session leader)");
        expect(sys_setpgid(0, 0), -EPERM, "setpgid by a session leader");
        sleep_ms(200);
        child_exit(f);
    }
    if (!expect_ok(child, "fork (session)")) return;
    /* Wait until the child is in its own session, then try to move it. */
    for (int i = 0; i < 1000 && sys_getsid(child) == my_sid; i++) sleep_ms(1);
    expect(sys_getsid(child), child, "getsid(child) names the child's new session");
    expect(sys_setpgid(child, 0), -EPERM, "setpgid of a child in another session");
    reap_expect(child, 0, "session child");

    child = sys_fork();
    if (child == 0) {
        expect(sys_setpgid(0, 0), 0, "child: setpgid(0, 0) before setsid");
        expect(sys_setsid(), -EPERM, "setsid in a group leader");
        child_exit(f);
    }
    if (expect_ok(child, "fork (leader setsid)")) reap_expect(child, 0, "group-leader setsid child");
    say("kill_groups: setsid/getsid rules");
}

static void kill_zero_and_errors(void)
{
    int f = rt_failures;
    long child = sys_fork();
    if (child == 0) {
        /* A group of our own, three members: ourselves (ignoring SIGTERM) and two children. */
        expect(sys_setpgid(0, 0), 0, "setpgid for kill(0)");
        expect(set_disposition(SIGTERM, SIG_IGN), 0, "leader ignores SIGTERM");
        int armed[2];
        expect(sys_pipe2(armed, 0), 0, "pipe2 (members armed)");
        long members[2];
        for (int i = 0; i < 2; i++) {
            members[i] = sys_fork();
            if (members[i] == 0) {
                set_disposition(SIGTERM, SIG_DFL);
                sys_close(armed[0]);
                sys_close(armed[1]);
                sleep_ms(PARK_MS);
                sys_exit_group(1);
            }
        }
        long a = members[0], b = members[1];
        sys_close(armed[1]);
        char c;
        sys_read(armed[0], &c, 1); /* end of file: both members have SIGTERM back at SIG_DFL */
        sys_close(armed[0]);
        expect(sys_kill(0, SIGTERM), 0, "kill(0, SIGTERM)");
        reap_expect_signal(a, SIGTERM, "kill(0) reaches the first group member");
        reap_expect_signal(b, SIGTERM, "kill(0) reaches the second group member");
        child_exit(f);
    }
    if (expect_ok(child, "fork (kill(0) group)")) reap_expect(child, 0, "kill(0) sender ignoring SIGTERM survives");

    long gone = vanished_pid();
    expect(sys_kill(gone, SIGTERM), -ESRCH, "kill of a pid that does not exist");
    expect(sys_kill(gone, 0), -ESRCH, "kill(pid, 0) of a pid that does not exist");
    expect(sys_kill(-gone, SIGTERM), -ESRCH, "kill of a group that does not exist");

    long zombie = sys_fork();
    if (zombie == 0) sys_exit_group(3);
    if (expect_ok(zombie, "fork (zombie)")) {
        sleep_ms(50); /* it has exited by now: a zombie until reaped */
        expect(sys_kill(zombie, 0), 0, "kill(zombie, 0): a zombie exists until reaped");
        expect(sys_kill(zombie, 65), -EINVAL, "kill with signal 65");
        reap_expect(zombie, 3, "zombie");
        expect(sys_kill(zombie, 0), -ESRCH, "kill(reaped child, 0)");
    }
    say("kill_groups: kill(0) reaches the group, ESRCH/EINVAL answers, zombies exist");
}

static void ignored_sigterm_survives(void)
{
    int ready[2], go[2];
    if (!expect(sys_pipe2(ready, 0), 0, "pipe2") || !expect(sys_pipe2(go, 0), 0, "pipe2")) return;
    int f = rt_failures;
    long child = sys_fork();
    if (child == 0) {
        expect(set_disposition(SIGTERM, SIG_IGN), 0, "child: SIGTERM -> SIG_IGN");
        char b = 1;
        sys_write(ready[1], &b, 1);
        sys_close(go[1]);
        sys_read(go[0], &b, 1);
        child_exit(f);
    }
    if (!expect_ok(child, "fork (SIG_IGN child)")) return;
    sys_close(go[0]);
    char b;
    expect(sys_read(ready[0], &b, 1), 1, "the child has set SIG_IGN");
    expect(sys_kill(child, SIGTERM), 0, "kill(child, SIGTERM)");
    expect(sys_kill(child, SIGTERM), 0, "kill(child, SIGTERM) again");
    sleep_ms(20);
    sys_close(go[1]);
    reap_expect(child, 0, "a child ignoring SIGTERM survives it");
    sys_close(ready[0]);
    sys_close(ready[1]);
    say("kill_groups: SIG_IGN'd SIGTERM survived");
}

int main(void)
{
    identity();
    groups();
    sessions();
    kill_zero_and_errors();
    ignored_sigterm_survives();
    return finish("kill_groups");
}
