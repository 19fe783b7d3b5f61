"""Which thread a signal goes to (tests/programs/threads_signals.c, musl and glibc): tgkill's
signal is pending on and delivered to the thread it names (interrupting its blocked read with
EINTR), kill's goes to the process and is taken by a thread that does not block it, a blocked
thread-directed signal stays on its thread, and a fatal signal sent to one thread ends all.

Before the fix our kernel put every signal on the first thread: the tgkill'd reader stayed
blocked and the main thread ran the handler."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary

LIBCS = ["musl", "glibc"]


@pytest.mark.parametrize("libc", LIBCS)
def test_thread_and_process_directed_signals(runner, libc):
    result = runner.run(binary(libc, "threads_signals"))
    assert_no_fail(result)
    assert_lines(result, [r"threads_signals: all \d+ checks passed"])
    assert_status(result, 0)


@pytest.mark.parametrize("libc", LIBCS)
def test_fatal_signal_to_one_thread_ends_all(runner, libc):
    result = runner.run(binary(libc, "threads_signals"), ["fatal"])
    assert_no_fail(result)
    assert_status(result, 143)
