"""tests/programs/exec_shared_text.c: ten processes exec'd from one file at once (issue 11 §3) —
each sees the file's data segment and a zero bss, its writes stay its own, and the parent's
earlier writes to its own copy never reach the exec'd images; natively (Linux's answers) and on
our kernel. That their text frames are shared: tests/system/test_page_cache.py."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_exec_shared_text(runner, variant):
    result = runner.run(binary(variant, "exec_shared_text"))
    assert_no_fail(result)
    assert_lines(result, [
        r"exec_shared_text: 10 children ran the program at once, each with its own data",
        r"exec_shared_text: all \d+ checks passed",
    ])
    assert_status(result, 0)
