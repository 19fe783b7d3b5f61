"""The calls that wait for signals or because of them (issue 10 §1): alarm / setitimer /
getitimer (ITIMER_REAL, SIGALRM on the event timer's queue), rt_sigtimedwait, rt_sigsuspend,
pause, and the blocking calls a signal interrupts (EINTR, or restarted under SA_RESTART as Linux
decides per call). tests/programs/signal_waits.c holds the expectations, one mode per run; the
native runner proves they are Linux's. Timing checks are one-sided or wide: a slow machine only
makes a wait longer, never a test fail."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary

SIGALRM_STATUS = 128 + 14

# Every test runs on both builds of signal_waits.c (musl, and raw system calls without a libc).
pytestmark = pytest.mark.parametrize("variant", ["musl", "raw"])


def passes(result):
    assert_no_fail(result)
    assert_lines(result, [r"signal_waits: all \d+ checks passed"])
    assert_status(result, 0)


def test_alarm_and_itimer_values(runner, variant):
    result = runner.run(binary(variant, "signal_waits"), ["timers"])
    assert_lines(result, [
        r"signal_waits: alarm answers and cancels",
        r"signal_waits: itimer values",
        r"signal_waits: periodic timer re-armed as Linux",
        r"signal_waits: fork does not inherit the timer",
    ])
    passes(result)


def test_execve_keeps_the_timer(runner, variant):
    result = runner.run(binary(variant, "signal_waits"), ["exec-keeps"])
    assert_lines(result, [r"signal_waits: execve keeps the timer"])
    passes(result)


def test_sigalrm_ends_a_sleeping_process(runner, variant):
    result = runner.run(binary(variant, "signal_waits"), ["alarm-kill"])
    assert_lines(result, [r"signal_waits: sleeping with a 50 ms ITIMER_REAL"])
    assert not any(line.startswith("FAIL") for line in result.lines), result
    assert_status(result, SIGALRM_STATUS)


def test_sigtimedwait(runner, variant):
    result = runner.run(binary(variant, "signal_waits"), ["timedwait"])
    assert_lines(result, [
        r"signal_waits: rt_sigtimedwait timeout, order, siginfo",
        r"signal_waits: rt_sigtimedwait woken by another process",
        r"signal_waits: periodic SIGALRM taken in every period",
    ])
    passes(result)


def test_sigchld_siginfo_and_no_zombies(runner, variant):
    result = runner.run(binary(variant, "signal_waits"), ["children"])
    assert_lines(result, [
        r"signal_waits: SIGCHLD siginfo",
        r"signal_waits: no zombies under SIG_IGN and SA_NOCLDWAIT",
    ])
    passes(result)


def test_waits_interrupted_by_handlers(runner, variant):
    result = runner.run(binary(variant, "signal_waits"), ["handlers"])
    assert_lines(result, [
        r"signal_waits: rt_sigsuspend and pause",
        r"signal_waits: nanosleep interrupted with the time left",
        r"signal_waits: read and wait4: EINTR, or restarted with SA_RESTART",
        r"signal_waits: poll and select: EINTR",
        r"signal_waits: ppoll and pselect6 wait with their mask",
        r"signal_waits: rt_sigtimedwait interrupted by a handler",
        r"signal_waits: periodic SIGALRM handler",
    ])
    passes(result)
