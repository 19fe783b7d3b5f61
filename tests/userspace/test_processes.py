"""Issue 9's process programs (tests/programs/{fork_cow,fork_many,wait_status,kill_groups,pipes,
exec_chain,preemption}.c), run by every selected runner like test_programs.py's catalogue: each
is self-checking, ends with `NAME: all N checks passed` and status 0, and prints one `FAIL:` line
per failed check. Natively they prove each expectation is Linux's; on the kernel runner they are
the system tests of fork/COW, wait, kill, process groups, pipes, execve and preemption.
"""

import re

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary

# name -> lines (regular expressions) that must appear besides the verdict
PROCESS_PROGRAMS = {
    "fork_cow": [
        r"fork_cow: brk heap: private pages isolated both ways",
        r"fork_cow: stack: private pages isolated both ways",
        r"fork_cow: anonymous mmap: private pages isolated both ways",
        r"fork_cow: MAP_SHARED\|MAP_ANONYMOUS shared by parent, child and grandchild",
        r"fork_cow: zero page: a write on one side leaves the other reading 0",
    ],
    "fork_many": [
        r"fork_many: 300 sequential children reaped",
        r"fork_many: 32 concurrent children reaped",
        r"fork_many: \d+ children alive at once( \(then fork refused cleanly\))?",
        r"fork_many: \d+ live children reaped",
    ],
    "wait_status": [r"getppid: the parent's pid, then 1 for an orphan"],
    "kill_groups": [r"kill_groups: SIG_IGN'd SIGTERM survived"],
    "pipes": [
        r"pipes: 1000 round trips, \d+ us each",
        r"pipes: 4194304 bytes, hash 51442025203c3325, then end of file",
    ],
    "exec_chain": [r"exec_chain: 50 execs in pid \d+"],
    "preemption": [r"preemption: two spinners both progressed in 4 rounds of 200 ms"],
}


@pytest.mark.parametrize("variant", ["musl", "raw"])
@pytest.mark.parametrize("name", sorted(PROCESS_PROGRAMS))
def test_process_program(runner, variant, name):
    result = runner.run(binary(variant, name))
    assert_no_fail(result)
    assert_lines(result, PROCESS_PROGRAMS[name] + [rf"{name}: all \d+ checks passed"])
    assert_status(result, 0)


def test_fork_many_reports_live_children(runner):
    result = runner.run(binary("raw", "fork_many"))
    assert_status(result, 0)
    alive = next(l for l in result.lines if "children alive at once" in l)
    reaped = next(l for l in result.lines if "live children reaped" in l)
    count = int(re.search(r"(\d+) children alive", alive).group(1))
    assert count >= 32, alive
    assert f"fork_many: {count} live children reaped" == reaped.rstrip(), reaped
