/* bench-timing.h — the timing loop pieces every user-space benchmark here shares (process-bench,
 * thread-bench, file-bench): the monotonic clock in nanoseconds, the case filter of the command
 * line, and the median of a repetition's samples. Header-only (static functions): each
 * benchmark is one static musl binary built from one .c file. */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds (under QEMU -icount shift=0: guest instructions). */
static inline long bench_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Whether case `name` is in the comma-separated list `only` (a null list or "all": every case). */
static inline int bench_wanted(const char *only, const char *name)
{
    if (!only || strcmp(only, "all") == 0) return 1;
    size_t n = strlen(name);
    for (const char *p = only; (p = strstr(p, name)) != 0; p += n)
        if ((p == only || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
    return 0;
}

static inline int bench_compare_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The median of `n` samples (sorts them in place; the upper one of an even count). */
static inline long bench_median(long *samples, int n)
{
    qsort(samples, (size_t)n, sizeof *samples, bench_compare_long);
    return samples[n / 2];
}

#endif
