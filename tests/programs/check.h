/* check.h: the counted checks of the libc test programs. CHECK(condition, "format", ...) counts
 * one check and, when the condition is false, prints one line
 *     FAIL: <what> (errno N, FILE:LINE)
 * — any line starting "FAIL" fails the run in the harness (tests/userspace/test_programs.py).
 * errno is read before anything is printed, so the line shows the failed call's. `checks` and
 * `failures` are the totals a program prints in its last line. */
#ifndef CHECK_H
#define CHECK_H

#include <errno.h>
#include <stdio.h>

static int checks, failures;

#define CHECK(cond, ...)                                                                \
    do {                                                                                \
        checks++;                                                                       \
        if (!(cond)) {                                                                  \
            int check_errno = errno;                                                    \
            failures++;                                                                 \
            printf("FAIL: " __VA_ARGS__);                                               \
            printf(" (errno %d, %s:%d)\n", check_errno, __FILE__, __LINE__);            \
        }                                                                               \
    } while (0)

#endif
