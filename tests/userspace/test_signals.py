"""Signals a process sends itself (issue 8, item 4): only a terminating signal with its default
action ends the process; ignored ones are discarded, blocked ones stay pending until unblocked,
and rt_sigaction / rt_sigprocmask keep what they are given. Every expectation is Linux's (the
native runner proves it). Before the fix our kernel ended the process for any signal: signal_self
and signal_libc died with SIGWINCH (status 156) and signal_pending_unblock at its kill()."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary

SIGABRT_STATUS = 128 + 6
SIGTERM_STATUS = 128 + 15


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_signal_self(runner, variant):
    result = runner.run(binary(variant, "signal_self"))
    assert_no_fail(result)
    assert_lines(result, [
        r"signal_self: SIGWINCH, SIGCHLD, SIGURG, SIGCONT ignored",
        r"signal_self: SIGTERM ignored",
        r"signal_self: blocked SIGTERM pending, discarded by SIG_IGN",
        r"signal_self: blocked SIGCHLD kept, then ignored",
        r"signal_self: caught SIGUSR1 survived, SA_RESETHAND honoured",
        r"signal_self: sigaction round trip",
        r"signal_self: sigprocmask arithmetic",
        r"signal_self: kill errors",
        r"signal_self: all \d+ checks passed",
    ])
    assert_status(result, 0)


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_unblocking_a_pending_sigterm_ends_the_process(runner, variant):
    result = runner.run(binary(variant, "signal_pending_unblock"))
    assert_lines(result, [r"signal_pending_unblock: SIGTERM pending; unblocking"])
    assert not any(line.startswith("FAIL") for line in result.lines), result
    assert_status(result, SIGTERM_STATUS)


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_libc_raise_signal_and_sigprocmask(runner, libc):
    result = runner.run(binary(libc, "signal_libc"))
    assert_no_fail(result)
    assert_lines(result, [r"signal_libc: SIGTERM pending while blocked",
                          r"signal_libc: all checks passed"])
    assert_status(result, 0)


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("mode,status", [("unblock", SIGTERM_STATUS), ("abort", SIGABRT_STATUS)])
def test_libc_pending_signal_and_abort_end_the_process(runner, libc, mode, status):
    result = runner.run(binary(libc, "signal_libc"), [mode])
    assert_lines(result, [rf"signal_libc: {'unblocking SIGTERM' if mode == 'unblock' else 'abort'}"])
    assert not any(line.startswith("FAIL") for line in result.lines), result
    assert_status(result, status)
