/* sched_many — many children (issue 9 §6): 300 forked and reaped one after another, 100 alive
 * at once then reaped in any order (wait4(-1)), each with its own status. With the argument
 * `limit` (our kernel only: natively it would fork until RLIMIT_NPROC): forks sleeping
 * children until fork fails, which must be EAGAIN or ENOMEM, then kills and reaps them all.
 * Status 0. */
#include "rt.h"
#include "signals.h"
#include "sched.h"

#define SEQUENTIAL 300
#define CONCURRENT 100
#define LIMIT_TRIES 4096

static int exits_with(long code) { return (int)code; }

static int sleeps_then_exits(long code)
{
    sleep_ms(200);
    return (int)code;
}

static int sleeps_long(long unused)
{
    (void)unused;
    sleep_ms(60000);
    return 0;
}

static void sequential(void)
{
    int wrong = 0;
    for (long i = 0; i < SEQUENTIAL; i++) {
        long pid = spawn(exits_with, i & 0xff);
        int status = -1;
        if (pid <= 0 || sys_wait4(pid, &status, 0) != pid || status != EXITED_WITH(i & 0xff)) wrong++;
    }
    say("sched_many: %d sequential children", SEQUENTIAL);
    expect(wrong, 0, "sequential children with the right status");
}

static void concurrent(void)
{
    static long pids[CONCURRENT];
    static char seen[CONCURRENT];
    long started = 0;
    for (long i = 0; i < CONCURRENT; i++) {
        pids[i] = spawn(sleeps_then_exits, i & 0x7f);
        if (pids[i] > 0) started++;
    }
    expect(started, CONCURRENT, "children alive at once");
    int wrong = 0;
    for (long reaped = 0; reaped < started; reaped++) {
        int status = -1;
        long pid = sys_wait4(-1, &status, 0);
        long i = 0;
        while (i < CONCURRENT && pids[i] != pid) i++;
        if (i == CONCURRENT || seen[i] || status != EXITED_WITH(i & 0x7f)) wrong++;
        else seen[i] = 1;
    }
    say("sched_many: %d concurrent children reaped", CONCURRENT);
    expect(wrong, 0, "each concurrent child reaped once with its status");
    expect(sys_wait4(-1, 0, WNOHANG), -ECHILD, "no child left");
}

static void limit(void)
{
    static long pids[LIMIT_TRIES];
    long count = 0, refusal = 0;
    while (count < LIMIT_TRIES) {
        long pid = spawn(sleeps_long, 0);
        if (pid < 0) {
            refusal = pid;
            break;
        }
        pids[count++] = pid;
    }
    say("sched_many: fork refused after %d children: %E", (int)count, refusal);
    check(refusal == -EAGAIN || refusal == -ENOMEM, "the refusal is EAGAIN or ENOMEM");
    for (long i = 0; i < count; i++) sys_kill(pids[i], SIGKILL);
    int wrong = 0;
    for (long i = 0; i < count; i++) {
        int status = -1;
        if (sys_wait4(pids[i], &status, 0) != pids[i] || status != KILLED_BY(SIGKILL)) wrong++;
    }
    expect(wrong, 0, "every child killed and reaped");
    long pid = spawn(exits_with, 9);
    int status = -1;
    expect(sys_wait4(pid, &status, 0), pid, "fork works again afterwards");
    expect(status, EXITED_WITH(9), "and the child's status");
}

int main(int argc, char **argv)
{
    if (argc > 1 && rt_streq(argv[1], "limit")) {
        limit();
    } else {
        sequential();
        concurrent();
    }
    return finish("sched_many");
}
