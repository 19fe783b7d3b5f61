"""tests/programs/shared_remove_fork.c: MADV_REMOVE on MAP_SHARED|MAP_ANONYMOUS memory after
fork is seen by every process that maps the pages — the other process reads zeros, as on Linux
(the memory object's reverse map, Sources/KernelMemory/Objects/ObjectMappingTree.swift, lets the
kernel unmap the page from every address space) — natively and on our kernel."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_remove_after_fork_is_seen_by_the_other_process(runner, variant):
    result = runner.run(binary(variant, "shared_remove_fork"))
    assert_no_fail(result)
    assert_lines(result, [
        r"shared_remove_fork: MADV_REMOVE in the parent: the child reads zeros",
        r"shared_remove_fork: MADV_REMOVE in the child: the parent reads zeros",
        r"shared_remove_fork: all \d+ checks passed",
    ])
    assert_status(result, 0)
