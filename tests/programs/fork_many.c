/* fork_many — many children (issue 9 §6):
 *   - 300 sequential children, child i exiting with i % 256, each reaped by pid with that status;
 *   - 32 concurrent children reaped with wait4(-1): every pid once, each with its own status,
 *     then ECHILD;
 *   - as many live children as the system gives, up to 400 (each blocks reading a pipe): a fork
 *     that fails must fail with EAGAIN or ENOMEM, and the ones already made still work; then the
 *     pipe's write end is closed, every child reads end of file and exits 7, all are reaped.
 *     Prints `fork_many: N children alive at once`.
 * Status 0. */
#include "rt.h"
#include "proc.h"

#define SEQUENTIAL 300
#define CONCURRENT 32
#define LIVE_MAX 400
#define LIVE_EXIT 7

static void sequential(void)
{
    int wrong = 0;
    for (int i = 0; i < SEQUENTIAL; i++) {
        long pid = sys_fork();
        if (pid == 0) sys_exit_group(i % 256);
        if (!expect_ok(pid, "sequential fork")) return;
        int status = -1;
        long r = sys_wait4(pid, &status, 0);
        if (r != pid || !W_EXITED(status) || W_EXITSTATUS(status) != i % 256) {
            if (wrong++ < 5) say("FAIL: sequential child %d: wait4 %E, status 0x%x, want exit %d", i, r, status, i % 256);
        }
    }
    check(wrong == 0, "300 sequential children reaped with their exit codes");
    say("fork_many: %d sequential children reaped", SEQUENTIAL);
}

static void concurrent(void)
{
    long pids[CONCURRENT];
    int reaped[CONCURRENT];
    for (int i = 0; i < CONCURRENT; i++) {
        pids[i] = sys_fork();
        if (pids[i] == 0) {
            sleep_ms(i % 4);
            sys_exit_group(100 + i);
        }
        if (!expect_ok(pids[i], "concurrent fork")) return;
        reaped[i] = 0;
    }
    int wrong = 0;
    for (int n = 0; n < CONCURRENT; n++) {
        int status = -1;
        long r = sys_wait4(-1, &status, 0);
        int i = 0;
        while (i < CONCURRENT && pids[i] != r) i++;
        if (i == CONCURRENT) { say("FAIL: wait4(-1) returned %E, not one of our children", r); wrong++; break; }
        if (reaped[i]++) { say("FAIL: child %d reaped twice", i); wrong++; }
        if (!W_EXITED(status) || W_EXITSTATUS(status) != 100 + i) {
            say("FAIL: concurrent child %d: status 0x%x, want exit %d", i, status, 100 + i);
            wrong++;
        }
    }
    check(wrong == 0, "32 concurrent children each reaped once with its own status");
    expect(sys_wait4(-1, 0, 0), -ECHILD, "wait4(-1) after the last child");
    say("fork_many: %d concurrent children reaped", CONCURRENT);
}

static long live_pids[LIVE_MAX];

static void live_at_once(void)
{
    int gate[2];
    if (!expect(sys_pipe2(gate, 0), 0, "pipe2 for the gate")) return;
    int alive = 0;
    long refused = 0;
    while (alive < LIVE_MAX) {
        long pid = sys_fork();
        if (pid == 0) {
            sys_close(gate[1]);
            char b;
            long r = sys_read(gate[0], &b, 1); /* blocks until the parent closes the write end */
            sys_exit_group(r == 0 ? LIVE_EXIT : 1);
        }
        if (pid < 0) { refused = pid; break; }
        live_pids[alive++] = pid;
    }
    if (refused && !check(refused == -EAGAIN || refused == -ENOMEM, "a refused fork fails with EAGAIN or ENOMEM"))
        say("FAIL: fork refused with %E", refused);
    say("fork_many: %d children alive at once%s", alive, refused ? " (then fork refused cleanly)" : "");
    check(alive >= CONCURRENT, "at least 32 children alive at once");
    /* Every pid distinct. */
    int duplicates = 0;
    for (int i = 0; i < alive; i++)
        for (int j = i + 1; j < alive; j++) duplicates += live_pids[i] == live_pids[j];
    check(duplicates == 0, "live children have distinct pids");
    sys_close(gate[0]);
    sys_close(gate[1]); /* every child reads end of file now */
    int wrong = 0, count = 0;
    for (;;) {
        int status = -1;
        long r = sys_wait4(-1, &status, 0);
        if (r == -ECHILD) break;
        if (r < 0) { say("FAIL: wait4(-1): %E", r); wrong++; break; }
        count++;
        if (!W_EXITED(status) || W_EXITSTATUS(status) != LIVE_EXIT) {
            if (wrong++ < 5) say("FAIL: live child %d: status 0x%x, want exit %d", (int)r, status, LIVE_EXIT);
        }
    }
    check(count == alive, "every live child reaped");
    check(wrong == 0, "every live child read end of file and exited 7");
    say("fork_many: %d live children reaped", count);
}

int main(void)
{
    sequential();
    concurrent();
    live_at_once();
    return finish("fork_many");
}
