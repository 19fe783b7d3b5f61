"""tests/programs/exec_self.c: execve of the program itself (issue 9 §4) — the errors that need
no root tree (each leaving the process intact), what survives exec (pid, a pipe without
O_CLOEXEC with its bytes, SIG_IGN, the mask, a pending blocked signal) and what does not (an
O_CLOEXEC descriptor, handlers, the old image's memory, the FS base), argv and envp byte for
byte, argv NULL — natively (Linux's answers) and on our kernel. Scripts and the errors of a
root tree: tests/system/test_exec.py."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_exec_self(runner, variant):
    result = runner.run(binary(variant, "exec_self"))
    assert_no_fail(result)
    assert_lines(result, [
        r"exec_self: ENOENT, ENOTDIR, EACCES, EFAULT, E2BIG, EINVAL; the process carries on",
        r"exec_self: stage 1 passed \d+ checks, exec'ing itself",
        r"exec_self: stage 2 passed \d+ checks, exec'ing itself with argv NULL",
        r"exec_self: all 3 checks passed",
    ])
    assert_status(result, 0)
