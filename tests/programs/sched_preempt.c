/* sched_preempt — the scheduler shares the CPU (issue 9 §2): two CPU-bound children both make
 * progress while their parent sleeps, and the sleeping parent wakes on time although they
 * never block (on one CPU only preemption by the timer tick can give it back). The children
 * count in a shared page and stop when the parent says so. Status 0. */
#include "rt.h"
#include "signals.h"
#include "sched.h"

#define SPINNERS 2
#define SLEEP_MS 200UL
#define LATE_MS 100UL /* TCG on a shared host: generous, but far below a slice-less wait */
#define GIVE_UP_NS 20000000000UL

struct board {
    volatile unsigned long counts[SPINNERS];
    volatile unsigned long stop;
};

static struct board *board;

static int spin(long index)
{
    unsigned long start = monotonic_ns();
    while (!board->stop) {
        board->counts[index]++;
        if ((board->counts[index] & 0xffff) == 0 && monotonic_ns() - start > GIVE_UP_NS) return 1;
    }
    return 0;
}

int main(void)
{
    board = (struct board *)sys6(NR_mmap, 0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (is_err((long)board)) {
        say("FAIL: mmap shared");
        return 1;
    }
    board->stop = 0; /* present before the fork */
    long pids[SPINNERS];
    for (long i = 0; i < SPINNERS; i++) pids[i] = spawn(spin, i);
    unsigned long before = monotonic_ns();
    sleep_ms(SLEEP_MS);
    unsigned long slept_ms = (monotonic_ns() - before) / 1000000UL;
    unsigned long first = board->counts[0], second = board->counts[1];
    board->stop = 1;
    say("sched_preempt: slept %u ms while %d spinners counted %u and %u", slept_ms, SPINNERS,
        first, second);
    check(slept_ms >= SLEEP_MS, "the sleep lasted its time");
    check(slept_ms < SLEEP_MS + LATE_MS, "the sleeper woke on time while others spun");
    check(first > 0 && second > 0, "both spinners progressed");
    unsigned long low = first < second ? first : second, high = first < second ? second : first;
    check(low * 10 > high, "neither spinner starved (within a factor of 10)");
    for (long i = 0; i < SPINNERS; i++) {
        int status = -1;
        expect(sys_wait4(pids[i], &status, 0), pids[i], "wait4 spinner");
        expect(status, EXITED_WITH(0), "spinner stopped when told");
    }
    return finish("sched_preempt");
}
