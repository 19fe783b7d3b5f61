/* enosys_flood — 100,000 calls of an unassigned number (511) and 100,000 of one beyond the
 * table (999): each is ENOSYS, and together they take well under a second on Linux. A kernel
 * that logs every unsupported call (a serial line each) takes seconds (issue 8): the harness
 * checks the time printed here, and on our kernel that each number was logged once.
 *
 * Usage: enosys_flood [calls]    (default 100000 of each)
 */
#include "rt.h"

#define UNASSIGNED 511      /* below 512: the last number before the x32 range, never assigned */
#define BEYOND_TABLE 999

static long monotonic_ns(void)
{
    struct rt_timespec ts = { 0, 0 };
    sys2(NR_clock_gettime, CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static long flood(long number, long calls)
{
    long start = monotonic_ns(), wrong = 0;
    for (long i = 0; i < calls; i++)
        if (sys0(number) != -ENOSYS) wrong++;
    check(wrong == 0, "every unsupported call -> ENOSYS");
    return (monotonic_ns() - start) / 1000000L;
}

int main(int argc, char **argv)
{
    long calls = (long)rt_parse(argc > 1 ? argv[1] : 0, 100000);
    long unassigned = flood(UNASSIGNED, calls), beyond = flood(BEYOND_TABLE, calls);
    say("enosys_flood: %ld calls of %d took %ld ms, of %d %ld ms", calls, UNASSIGNED, unassigned,
        BEYOND_TABLE, beyond);
    return finish("enosys_flood");
}
