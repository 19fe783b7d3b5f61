/* preemption — the scheduler shares the CPU (issue 9 §2):
 *   - two CPU-bound children (they never make a system call while counting) both advance their
 *     counters in each of four rounds (a 200 ms sleep of the parent, repeated if the host
 *     stalled the machine, 3 s at most), while the parent's sleeps end on time;
 *   - a child sleeping 50 ms wakes within a second while its sibling spins.
 * The counters live in MAP_SHARED memory the parent reads (written before the first fork). The children are killed (SIGKILL) and
 * reaped at the end. On one CPU this needs timer preemption of user code: without it the first
 * spinner never gives the CPU back. Status 0. */
#include "rt.h"
#include "proc.h"

#define WINDOWS 4
#define WINDOW_MS 200
#define SLEEP_MS 50
#define WAKE_LIMIT_NS 1000000000L /* the sleeper wakes within 1 s of asking for 50 ms */
#define OVERSLEEP_LIMIT_NS 2000000000L
#define PROGRESS_LIMIT_NS 3000000000L /* both counters move within 3 s, every round */

static long spinner(volatile unsigned long *counter)
{
    long pid = sys_fork();
    if (pid == 0)
        for (;;) (*counter)++;
    expect_ok(pid, "fork (spinner)");
    return pid;
}

static void two_spinners(volatile unsigned long *shared)
{
    long a = spinner(&shared[0]), b = spinner(&shared[1]);
    if (a < 0 || b < 0) return;
    unsigned long last_a = shared[0], last_b = shared[1];
    int stalled = 0;
    for (int w = 0; w < WINDOWS; w++) {
        /* Sleep a window; if either counter has not moved (the host may stall QEMU as a whole),
         * keep sampling, but only up to the bound. */
        long start = now_ns(), waited = 0;
        unsigned long now_a, now_b;
        do {
            long before = now_ns();
            sleep_ms(WINDOW_MS);
            long slept = now_ns() - before;
            if (!check(slept < OVERSLEEP_LIMIT_NS, "the parent's 200 ms sleep ends within 2 s while two processes spin"))
                say("FAIL: slept %ld ms", slept / 1000000);
            now_a = shared[0];
            now_b = shared[1];
            waited = now_ns() - start;
        } while ((now_a == last_a || now_b == last_b) && waited < PROGRESS_LIMIT_NS);
        if (now_a == last_a || now_b == last_b) {
            say("FAIL: round %d: in %ld ms spinner A %lu -> %lu, B %lu -> %lu", w, waited / 1000000,
                last_a, now_a, last_b, now_b);
            stalled++;
        }
        last_a = now_a;
        last_b = now_b;
    }
    check(stalled == 0, "both CPU-bound children progress in each of 4 rounds (200 ms, at most 3 s)");
    expect(sys_kill(a, SIGKILL), 0, "kill spinner A");
    expect(sys_kill(b, SIGKILL), 0, "kill spinner B");
    reap_expect_signal(a, SIGKILL, "spinner A");
    reap_expect_signal(b, SIGKILL, "spinner B");
    say("preemption: two spinners both progressed in %d rounds of %d ms", WINDOWS, WINDOW_MS);
}

static void sleeper_beside_spinner(volatile unsigned long *shared)
{
    long spin = spinner(&shared[2]);
    if (spin < 0) return;
    long sleeper = sys_fork();
    if (sleeper == 0) {
        long start = now_ns();
        sleep_ms(SLEEP_MS);
        shared[3] = (unsigned long)(now_ns() - start);
        sys_exit_group(0);
    }
    if (expect_ok(sleeper, "fork (sleeper)")) reap_expect(sleeper, 0, "sleeper");
    long slept = (long)shared[3];
    check(slept >= SLEEP_MS * 1000000L, "the sleeper slept at least 50 ms");
    if (!check(slept < WAKE_LIMIT_NS, "the sleeper wakes within 1 s while its sibling spins"))
        say("FAIL: the 50 ms sleep took %ld ms", slept / 1000000);
    expect(sys_kill(spin, SIGKILL), 0, "kill the spinner");
    reap_expect_signal(spin, SIGKILL, "spinner");
    say("preemption: a 50 ms sleep beside a spinner took %ld ms", slept / 1000000);
}

int main(void)
{
    long m = sys_mmap(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS);
    if (!expect_ok(m, "mmap MAP_SHARED|MAP_ANONYMOUS")) return finish("preemption");
    volatile unsigned long *shared = (volatile unsigned long *)m;
    /* Written before any fork: sharing pages first touched after fork is fork_cow's subject. */
    for (int i = 0; i < 4; i++) shared[i] = 0;
    two_spinners(shared);
    sleeper_beside_spinner(shared);
    return finish("preemption");
}
