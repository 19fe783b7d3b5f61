/* clocks — every clock ID of clock_gettime / clock_getres / clock_nanosleep, the wall clock
 * behind gettimeofday and time, and the CPU-time clocks (issue 8).
 *
 * Usage: clocks [rtc]
 *   rtc: the machine has a CMOS real-time clock (any PC, QEMU): the alarm clocks 8 and 9
 *   answer. Linux answers EINVAL for them without one (the host this runs on natively may
 *   have none); either way gettime and getres agree.
 *
 * Prints `clocks: realtime SECONDS` so that the harness can compare the wall clock with its own.
 */
#include "rt.h"

#define NR_gettimeofday 96
#define NR_time 201
#define NR_clock_getres 229
#define NR_clock_nanosleep 230
#define EOPNOTSUPP 95
#define TIMER_ABSTIME 1
#define CLOCK_REALTIME 0
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_SGI_CYCLE 10 /* removed in Linux 4.17: EINVAL */
#define CLOCK_TAI 11
/* 2024-01-01 00:00:00 UTC */
#define JANUARY_2024 1704067200L
#define NS 1000000000L

/* Dynamic CPU clocks (clock_getcpuclockid): ~pid << 3 | per-thread << 2 | which. */
#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_PERTHREAD 4
static long cpu_clock(long pid, int which) { return (~pid << 3) | which; }

static long read_clock(long clock, struct rt_timespec *ts)
{
    ts->tv_sec = ts->tv_nsec = -1;
    return sys2(NR_clock_gettime, clock, ts);
}
static long ns_of(const struct rt_timespec *ts) { return ts->tv_sec * NS + ts->tv_nsec; }
static long now(long clock)
{
    struct rt_timespec ts;
    return read_clock(clock, &ts) == 0 ? ns_of(&ts) : -1;
}
static long resolution(long clock)
{
    struct rt_timespec ts = { -1, -1 };
    return sys2(NR_clock_getres, clock, &ts) == 0 ? ns_of(&ts) : -1;
}

static void every_clock(int rtc)
{
    /* Clock IDs 0-11: all answer but 10; high-resolution ones report 1 ns, coarse ones a tick. */
    for (long clock = 0; clock <= 12; clock++) {
        struct rt_timespec ts;
        long got = read_clock(clock, &ts), res = resolution(clock);
        int invalid = clock == CLOCK_SGI_CYCLE || clock == 12;
        int alarm = clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM;
        if (invalid || (alarm && !rtc && got == -EINVAL)) {
            if (!check(got == -EINVAL && res == -1, invalid ? "clock 10 / 12 -> EINVAL" : "alarm clock: gettime and getres agree"))
                say("  clock %ld: gettime %E", clock, got);
            continue;
        }
        if (!check(got == 0 && ts.tv_nsec >= 0 && ts.tv_nsec < NS, "clock_gettime answers"))
            say("  clock %ld: gettime %E", clock, got);
        int coarse = clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE;
        if (!check(coarse ? res >= 1000000 && res <= 10000000 : res == 1,
                   coarse ? "a coarse clock's resolution is a tick" : "resolution 1 ns"))
            say("  clock %ld: resolution %ld ns", clock, res);
    }
    expect(sys2(NR_clock_gettime, 1000, 0), -EINVAL, "clock 1000 -> EINVAL");
    expect(sys2(NR_clock_getres, CLOCK_MONOTONIC, 0), 0, "clock_getres with a NULL result -> 0");
    expect(sys2(NR_clock_getres, CLOCK_SGI_CYCLE, 0), -EINVAL, "clock_getres(10, NULL) -> EINVAL");
    expect(sys2(NR_clock_gettime, CLOCK_REALTIME, KERNEL_TEXT), -EFAULT, "clock_gettime into a kernel address -> EFAULT");
}

static void wall_clock(int rtc)
{
    long real = now(CLOCK_REALTIME);
    struct rt_timeval tv = { -1, -1 };
    expect(sys2(NR_gettimeofday, &tv, 0), 0, "gettimeofday");
    long seconds = sys1(NR_time, 0), stored = -1;
    expect(sys1(NR_time, &stored), seconds, "time(&t) returns what it stores");
    check(stored - seconds <= 1, "time(&t) stores the time");
    say("clocks: realtime %ld", real / NS);
    check(real / NS > JANUARY_2024, "CLOCK_REALTIME is after 2024-01-01");
    long day = tv.tv_sec * 1000000L + tv.tv_usec - real / 1000;
    check(day >= 0 && day < 1000000, "gettimeofday agrees with CLOCK_REALTIME (within 1 s)");
    check(seconds - real / NS >= 0 && seconds - real / NS <= 1, "time agrees with CLOCK_REALTIME");
    long coarse = now(CLOCK_REALTIME_COARSE), tai = now(CLOCK_TAI);
    check(coarse - real > -NS && coarse - real < NS, "CLOCK_REALTIME_COARSE agrees (within 1 s)");
    check(tai - real >= 0 && tai - real < 40 * NS, "CLOCK_TAI is CLOCK_REALTIME plus the TAI offset");
    long alarm = now(CLOCK_REALTIME_ALARM);
    if (rtc || alarm != -1)
        check(alarm - real >= 0 && alarm - real < NS, "CLOCK_REALTIME_ALARM agrees");
}

static void monotonic_clocks(int rtc)
{
    long mono = now(CLOCK_MONOTONIC), raw = now(CLOCK_MONOTONIC_RAW);
    long coarse = now(CLOCK_MONOTONIC_COARSE), boot = now(CLOCK_BOOTTIME);
    long boot_alarm = now(CLOCK_BOOTTIME_ALARM);
    check(mono > 0, "CLOCK_MONOTONIC > 0");
    check(raw - mono > -NS && raw - mono < NS, "CLOCK_MONOTONIC_RAW agrees (within 1 s)");
    check(coarse - mono > -NS && coarse <= now(CLOCK_MONOTONIC), "CLOCK_MONOTONIC_COARSE trails it");
    check(boot >= mono, "CLOCK_BOOTTIME >= CLOCK_MONOTONIC");
    if (rtc || boot_alarm != -1) check(boot_alarm >= boot, "CLOCK_BOOTTIME_ALARM follows CLOCK_BOOTTIME");
}

static void cpu_clocks(void)
{
    long pid = sys0(NR_getpid);
    long start = now(CLOCK_PROCESS_CPUTIME_ID), wall = now(CLOCK_MONOTONIC);
    volatile unsigned long spin = 0;
    while (now(CLOCK_MONOTONIC) - wall < 30000000L) spin++;
    long process = now(CLOCK_PROCESS_CPUTIME_ID), thread = now(CLOCK_THREAD_CPUTIME_ID);
    long elapsed = now(CLOCK_MONOTONIC) - wall;
    check(start >= 0 && process > start, "CLOCK_PROCESS_CPUTIME_ID advances while the program runs");
    check(process - start <= elapsed + 1000000, "no more CPU time than time passed");
    check(thread > 0 && thread <= now(CLOCK_PROCESS_CPUTIME_ID), "CLOCK_THREAD_CPUTIME_ID (one thread)");
    long sched = now(cpu_clock(0, CPUCLOCK_SCHED)), own = now(cpu_clock(pid, CPUCLOCK_SCHED));
    check(sched >= process && own >= sched, "the process's dynamic CPU clock (pid 0 and own pid)");
    check(now(cpu_clock(0, CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD)) > 0, "the thread's dynamic CPU clock");
    long prof = now(cpu_clock(0, CPUCLOCK_PROF)), virt = now(cpu_clock(0, CPUCLOCK_VIRT));
    check(prof > 0 && virt >= 0 && virt <= prof + 10000000, "PROF (user + system) and VIRT (user) clocks");
    struct rt_timespec ts;
    expect(read_clock(cpu_clock(0, 3), &ts), -EINVAL, "a dynamic CPU clock of type 3 -> EINVAL");
    expect(read_clock(-1, &ts), -EINVAL, "clock -1 -> EINVAL");
    expect(read_clock(cpu_clock(0x3ffffff0, CPUCLOCK_SCHED), &ts), -EINVAL,
           "the CPU clock of no such process -> EINVAL");
    expect(resolution(cpu_clock(0, CPUCLOCK_SCHED)), 1, "the SCHED CPU clock's resolution is 1 ns");
    long tick = resolution(cpu_clock(0, CPUCLOCK_PROF));
    check(tick >= 1000000 && tick <= 10000000, "the PROF CPU clock's resolution is a tick");
}

static long nap(long clock, long flags, long nanoseconds)
{
    struct rt_timespec ts = { nanoseconds / NS, nanoseconds % NS };
    return sys4(NR_clock_nanosleep, clock, flags, &ts, 0);
}

static void sleeping(int rtc)
{
    long sleepers[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI };
    for (unsigned i = 0; i < sizeof sleepers / sizeof sleepers[0]; i++)
        expect(nap(sleepers[i], 0, 1000), 0, "clock_nanosleep on a clock with timers -> 0");
    if (rtc) {
        expect(nap(CLOCK_REALTIME_ALARM, 0, 1000), 0, "clock_nanosleep(CLOCK_REALTIME_ALARM) -> 0");
        expect(nap(CLOCK_BOOTTIME_ALARM, 0, 1000), 0, "clock_nanosleep(CLOCK_BOOTTIME_ALARM) -> 0");
    }
    long unsupported[] = { CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
                           CLOCK_MONOTONIC_COARSE };
    for (unsigned i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        expect(nap(unsupported[i], 0, 1000), -EOPNOTSUPP, "clock_nanosleep on a clock without timers -> EOPNOTSUPP");
    expect(nap(CLOCK_SGI_CYCLE, 0, 1000), -EINVAL, "clock_nanosleep(10) -> EINVAL");
    expect(nap(cpu_clock(0, CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD), 0, 1000), -EINVAL,
           "clock_nanosleep on its own thread's CPU clock -> EINVAL");
    /* An absolute deadline on the wall clock: 20 ms from now, and one in the past. */
    long wall = now(CLOCK_REALTIME), start = now(CLOCK_MONOTONIC);
    expect(nap(CLOCK_REALTIME, TIMER_ABSTIME, wall + 20000000L), 0, "absolute CLOCK_REALTIME sleep");
    long slept = now(CLOCK_MONOTONIC) - start;
    check(slept >= 19000000L && slept < 2 * NS, "it lasted until the wall-clock deadline");
    start = now(CLOCK_MONOTONIC);
    expect(nap(CLOCK_REALTIME, TIMER_ABSTIME, wall - NS), 0, "an absolute deadline in the past");
    check(now(CLOCK_MONOTONIC) - start < 100000000L, "returns at once");
}

int main(int argc, char **argv)
{
    int rtc = argc > 1 && rt_streq(argv[1], "rtc");
    every_clock(rtc);
    wall_clock(rtc);
    monotonic_clocks(rtc);
    cpu_clocks();
    sleeping(rtc);
    return finish("clocks");
}
