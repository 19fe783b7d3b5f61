/* resource_limits — getrlimit / setrlimit / prlimit64, their enforcement on descriptors, and
 * the usage calls times, sysinfo and getrusage's CPU times (issue 8).
 *
 * Usage: resource_limits [as-init-child]
 *   as-init-child: started by init as root on an idle machine (tools/run-linux, our kernel):
 *   the limits are Linux's defaults, a hard limit may be raised, and memory the program
 *   touches shows in sysinfo's free RAM. Natively the harness's limits are whatever the host
 *   set, so only the rules are checked.
 */
#include "rt.h"

#define NR_open 2
#define NR_close 3
#define NR_poll 7
#define NR_dup 32
#define NR_dup2 33
#define NR_fcntl 72
#define NR_getrlimit 97
#define NR_sysinfo 99
#define NR_times 100
#define NR_setrlimit 160
#define NR_prlimit64 302
#define NR_dup3 292
#define NR_openat 257
#define AT_FDCWD -100
#define F_DUPFD 0
#define CLOCK_PROCESS_CPUTIME_ID 2
#define EMFILE 24
#define ESRCH 3
#define RLIM_INFINITY (~0UL)
#define RLIM_NLIMITS 16
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define NR_OPEN (1024UL * 1024UL) /* fs.nr_open's default */

struct rlimit { unsigned long soft, hard; };
struct tms { long utime, stime, cutime, cstime; };
struct sysinfo {
    long uptime;
    unsigned long loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    unsigned short procs, pad;
    unsigned long totalhigh, freehigh;
    unsigned int mem_unit;
    char reserved[4];
};
struct pollfd { int fd; short events, revents; };

static struct rlimit get(int resource)
{
    struct rlimit r = { 0, 0 };
    expect(sys2(NR_getrlimit, resource, &r), 0, "getrlimit");
    return r;
}

static long set(int resource, unsigned long soft, unsigned long hard)
{
    struct rlimit r = { soft, hard };
    return sys2(NR_setrlimit, resource, &r);
}

static void expect_limit(int resource, unsigned long soft, unsigned long hard, const char *what)
{
    struct rlimit r = get(resource);
    if (!check(r.soft == soft && r.hard == hard, what))
        say("  got %lx / %lx, want %lx / %lx", r.soft, r.hard, soft, hard);
}

static void defaults(void)
{
    expect_limit(RLIMIT_STACK, 8 * MiB, RLIM_INFINITY, "RLIMIT_STACK 8 MiB / unlimited");
    expect_limit(RLIMIT_CORE, 0, RLIM_INFINITY, "RLIMIT_CORE 0 / unlimited");
    expect_limit(RLIMIT_NOFILE, 1024, 4096, "RLIMIT_NOFILE 1024 / 4096");
    expect_limit(RLIMIT_MEMLOCK, 8 * MiB, 8 * MiB, "RLIMIT_MEMLOCK 8 MiB");
    expect_limit(RLIMIT_MSGQUEUE, 819200, 819200, "RLIMIT_MSGQUEUE 800 KiB");
    expect_limit(RLIMIT_NICE, 0, 0, "RLIMIT_NICE 0");
    expect_limit(RLIMIT_RTPRIO, 0, 0, "RLIMIT_RTPRIO 0");
    int unlimited[] = { RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_RSS, RLIMIT_AS, RLIMIT_LOCKS,
                        RLIMIT_RTTIME };
    for (unsigned i = 0; i < sizeof unlimited / sizeof unlimited[0]; i++)
        expect_limit(unlimited[i], RLIM_INFINITY, RLIM_INFINITY, "an unlimited resource");
    /* NPROC and SIGPENDING: half of max_threads, which Linux sizes from RAM. */
    struct rlimit nproc = get(RLIMIT_NPROC), pending = get(RLIMIT_SIGPENDING);
    say("resource_limits: RLIMIT_NPROC %lu", nproc.soft);
    check(nproc.soft == nproc.hard && nproc.soft >= 10 && nproc.soft < 1000000,
          "RLIMIT_NPROC: soft = hard, from RAM");
    check(pending.soft == nproc.soft && pending.hard == nproc.hard, "RLIMIT_SIGPENDING = RLIMIT_NPROC");
}

static void rules(int as_root)
{
    struct rlimit r;
    for (int i = 0; i < RLIM_NLIMITS; i++) {
        r = get(i);
        check(r.soft <= r.hard, "every soft limit is at most its hard limit");
    }
    expect(sys2(NR_getrlimit, RLIM_NLIMITS, &r), -EINVAL, "getrlimit(16) -> EINVAL");
    expect(sys2(NR_getrlimit, -1, &r), -EINVAL, "getrlimit(-1) -> EINVAL");
    struct rlimit nofile = get(RLIMIT_NOFILE), wide = { 0, 0 };
    expect(sys2(NR_getrlimit, (1L << 32) | RLIMIT_NOFILE, &wide), 0,
           "getrlimit: the resource is an unsigned int");
    check(wide.soft == nofile.soft && wide.hard == nofile.hard, "(1 << 32) | 7 is RLIMIT_NOFILE");
    expect(sys2(NR_getrlimit, RLIMIT_NOFILE, KERNEL_TEXT), -EFAULT, "getrlimit into a kernel address -> EFAULT");
    expect(sys2(NR_setrlimit, RLIMIT_NOFILE, KERNEL_TEXT), -EFAULT, "setrlimit from a kernel address -> EFAULT");
    expect(set(RLIM_NLIMITS, 1, 1), -EINVAL, "setrlimit(16) -> EINVAL");
    expect(set(RLIMIT_NOFILE, 100, 50), -EINVAL, "setrlimit soft > hard -> EINVAL");
    expect(set(RLIMIT_STACK, 16 * MiB, 8 * MiB), -EINVAL, "setrlimit(STACK) soft > hard -> EINVAL");
    expect(set(RLIMIT_NOFILE, 100, NR_OPEN + 1), -EPERM, "RLIMIT_NOFILE above nr_open -> EPERM");
    expect(set(RLIMIT_NOFILE, 100, RLIM_INFINITY), -EPERM, "RLIMIT_NOFILE unlimited -> EPERM");
    if (as_root) {
        expect(set(RLIMIT_NOFILE, 1024, NR_OPEN), 0, "root raises the hard RLIMIT_NOFILE to nr_open");
        expect_limit(RLIMIT_NOFILE, 1024, NR_OPEN, "the raised limit reads back");
        expect(set(RLIMIT_NOFILE, 1024, 4096), 0, "and lowers it again");
        expect(set(RLIMIT_CPU, RLIM_INFINITY, RLIM_INFINITY), 0, "setrlimit(CPU) unlimited -> 0");
    }
    expect(set(RLIMIT_CORE, 0, 0), 0, "setrlimit(CORE, 0 / 0) -> 0");
    expect_limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE reads back 0 / 0");

    struct rlimit old[1], new = { 512, nofile.hard };
    expect(sys4(NR_prlimit64, 0, RLIMIT_NOFILE, &new, old), 0, "prlimit64(0, NOFILE, new, old)");
    check(old[0].soft == nofile.soft && old[0].hard == nofile.hard, "prlimit64 returns the old limit");
    expect_limit(RLIMIT_NOFILE, 512, nofile.hard, "prlimit64 set the new one");
    expect(sys4(NR_prlimit64, sys0(NR_getpid), RLIMIT_NOFILE, 0, old), 0, "prlimit64(own pid)");
    check(old[0].soft == 512, "prlimit64 of its own pid reads it");
    expect(sys4(NR_prlimit64, 0x3ffffff0, RLIMIT_NOFILE, 0, old), -ESRCH, "prlimit64 of no such pid -> ESRCH");
    expect(sys4(NR_prlimit64, 0, RLIM_NLIMITS, 0, old), -EINVAL, "prlimit64(16) -> EINVAL");
    expect(set(RLIMIT_NOFILE, nofile.soft, nofile.hard), 0, "restore RLIMIT_NOFILE");
}

/* With RLIMIT_NOFILE 16 no descriptor may be numbered 16 or above. */
static void nofile_enforced(void)
{
    struct rlimit saved = get(RLIMIT_NOFILE);
    expect(set(RLIMIT_NOFILE, 16, saved.hard), 0, "setrlimit(NOFILE, 16)");
    expect(sys2(NR_dup2, 1, 20), -EBADF, "dup2(1, 20) beyond the limit -> EBADF");
    expect(sys2(NR_dup2, 1, 16), -EBADF, "dup2(1, 16) at the limit -> EBADF");
    expect(sys3(NR_dup3, 1, 16, 0), -EBADF, "dup3(1, 16) at the limit -> EBADF");
    expect(sys2(NR_dup2, 1, 15), 15, "dup2(1, 15) below the limit -> 15");
    expect(sys3(NR_fcntl, 1, F_DUPFD, 16), -EINVAL, "fcntl(F_DUPFD, 16) at the limit -> EINVAL");
    expect(sys3(NR_fcntl, 1, F_DUPFD, 20), -EINVAL, "fcntl(F_DUPFD, 20) beyond the limit -> EINVAL");
    expect(sys3(NR_fcntl, 1, F_DUPFD, 15), -EMFILE, "fcntl(F_DUPFD, 15) with 15 taken -> EMFILE");
    long last = -1, r;
    while ((r = sys1(NR_dup, 1)) >= 0) last = r;
    expect(r, -EMFILE, "dup until the table is full -> EMFILE");
    check(last <= 14, "no dup got a descriptor at or above the limit");
    expect(sys3(NR_open, "/", 0, 0), -EMFILE, "open with no descriptor free -> EMFILE");
    expect(sys4(NR_openat, AT_FDCWD, "/", 0, 0), -EMFILE, "openat with no descriptor free -> EMFILE");
    expect(sys3(NR_open, KERNEL_TEXT, 0, 0), -EFAULT, "open of an unreadable path -> EFAULT first");
    struct pollfd none[17];
    for (int i = 0; i < 17; i++) { none[i].fd = -1; none[i].events = 0; none[i].revents = 0; }
    expect(sys3(NR_poll, none, 17, 0), -EINVAL, "poll of 17 entries with NOFILE 16 -> EINVAL");
    expect(sys3(NR_poll, none, 16, 0), 0, "poll of 16 entries -> 0");
    for (int fd = 3; fd < 16; fd++) sys1(NR_close, fd);
    expect(set(RLIMIT_NOFILE, saved.soft, saved.hard), 0, "restore RLIMIT_NOFILE");
    expect(sys2(NR_dup2, 1, 20), 20, "dup2(1, 20) after restoring -> 20");
    sys1(NR_close, 20);
}

static long cpu_ns(void)
{
    struct rt_timespec ts = { 0, 0 };
    sys2(NR_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void usage(int idle)
{
    /* Spend 60 ms of CPU time, so that there is something to count. */
    long start = cpu_ns();
    volatile unsigned long spin = 0;
    while (cpu_ns() - start < 60000000L) spin++;
    struct rt_rusage ru;
    expect(sys2(NR_getrusage, RUSAGE_SELF, &ru), 0, "getrusage(RUSAGE_SELF)");
    long cpu = cpu_ns();
    long user = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec;
    long system = ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
    check(ru.ru_utime.tv_usec < 1000000 && ru.ru_stime.tv_usec < 1000000, "rusage timevals normalised");
    check(user + system >= 50000, "ru_utime + ru_stime count the 60 ms spent");
    if (!check(user + system <= cpu / 1000 + 20000, "ru_utime + ru_stime no more than the CPU clock"))
        say("  user %ld us, system %ld us, CPU clock %ld us", user, system, cpu / 1000);

    struct tms t = { -1, -1, -1, -1 };
    long now = sys1(NR_times, &t);
    check(now != -1 && !is_err(now), "times returns the clock ticks");
    check(t.utime + t.stime >= 4, "tms_utime + tms_stime count the 60 ms (100 ticks a second)");
    check(t.cutime == 0 && t.cstime == 0, "no children's times");
    long again = sys1(NR_times, 0);
    check(again >= now, "times(NULL) works and the ticks do not go back");
    expect(sys1(NR_times, KERNEL_TEXT), -EFAULT, "times into a kernel address -> EFAULT");

    struct sysinfo si;
    expect(sys1(NR_sysinfo, &si), 0, "sysinfo");
    check(si.mem_unit >= 1, "sysinfo mem_unit");
    check(si.totalram * si.mem_unit >= 16 * MiB, "sysinfo totalram is the machine's RAM");
    check(si.freeram > 0 && si.freeram <= si.totalram, "sysinfo freeram within totalram");
    check(si.procs >= 1, "sysinfo procs >= 1");
    check(si.uptime >= 1, "sysinfo uptime (rounded up) >= 1 s");
    expect(sys1(NR_sysinfo, 0), -EFAULT, "sysinfo(NULL) -> EFAULT");
    expect(sys1(NR_sysinfo, KERNEL_TEXT), -EFAULT, "sysinfo into a kernel address -> EFAULT");
    if (idle) {
        /* Nothing else runs: 32 MiB the program touches come out of freeram. */
        long m = map_anon(32 * MiB, RW);
        if (!expect_ok(m, "mmap 32 MiB")) return;
        for (unsigned long off = 0; off < 32 * MiB; off += PAGE) ((volatile char *)m)[off] = 1;
        struct sysinfo after;
        expect(sys1(NR_sysinfo, &after), 0, "sysinfo after touching 32 MiB");
        unsigned long dropped = (si.freeram - after.freeram) * si.mem_unit;
        if (!check(dropped >= 30 * MiB && dropped <= 40 * MiB, "freeram fell by the 32 MiB touched"))
            say("  freeram fell by %lu KiB", dropped / KiB);
        sys_munmap((unsigned long)m, 32 * MiB);
    }
}

int main(int argc, char **argv)
{
    int as_init_child = argc > 1 && rt_streq(argv[1], "as-init-child");
    if (as_init_child) defaults();
    rules(as_init_child);
    nofile_enforced();
    usage(as_init_child);
    return finish("resource_limits");
}
