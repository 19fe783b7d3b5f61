"""tests/programs/pipe_self.c: a pipe within one process (issue 9 §4) — flags, order, capacity
and PIPE_BUF, EAGAIN / EOF / EPIPE, duplicates, fstat / lseek, poll and select readiness and a
poll that really waits — natively (Linux's answers) and on our kernel. Cross-process pipes are
tests/programs/pipes.c (the `tests` branch)."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary

SIGPIPE_STATUS = 128 + 13


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_pipe_within_one_process(runner, variant):
    result = runner.run(binary(variant, "pipe_self"))
    assert_no_fail(result)
    assert_lines(result, [
        r"pipe_self: capacity 65536, PIPE_BUF atomic, partial writes",
        r"pipe_self: fstat S_IFIFO, ESPIPE, poll and select readiness \(waited \d+ ms\)",
        r"pipe_self: all \d+ checks passed",
    ])
    assert_status(result, 0)


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_sigpipe_default_action_kills_the_writer(runner, variant):
    result = runner.run(binary(variant, "pipe_self"), ["sigpipe"])
    assert_lines(result, [r"pipe_self: writing to a pipe without a reader, SIGPIPE at its default"])
    assert not any("survived" in line for line in result.lines), result
    assert_status(result, SIGPIPE_STATUS)
