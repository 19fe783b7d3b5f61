"""Many processes at once (issue 9 §2–§4): fork, vfork, wait4/waitid statuses, kill of a child,
orphans reparented and reaped, process groups, preemption of CPU-bound processes with a sleeper
waking on time, and hundreds of children reaped with frame accounting clean (the kernel runner
also fails on a leak: run-elf's status 125). Every expectation is Linux's: the native runner
proves it. Before this work our kernel had no fork (ENOSYS) and ran one process as a function
call: every one of these failed."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_fork_wait_kill_orphans_groups_vfork(runner, variant):
    result = runner.run(binary(variant, "sched_family"))
    assert_no_fail(result)
    assert_lines(result, [r"sched_family: all \d+ checks passed"])
    assert_status(result, 0)


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_two_spinners_progress_and_a_sleeper_wakes_on_time(runner, variant):
    result = runner.run(binary(variant, "sched_preempt"))
    assert_no_fail(result)
    assert_lines(result, [
        r"sched_preempt: slept \d+ ms while 2 spinners counted \d+ and \d+",
        r"sched_preempt: all \d+ checks passed",
    ])
    assert_status(result, 0)


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_hundreds_of_children_reaped(runner, variant):
    result = runner.run(binary(variant, "sched_many"))
    assert_no_fail(result)
    assert_lines(result, [
        r"sched_many: 300 sequential children",
        r"sched_many: 100 concurrent children reaped",
        r"sched_many: all \d+ checks passed",
    ])
    assert_status(result, 0)
