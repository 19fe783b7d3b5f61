"""tests/programs/prctl_name.c: a thread's name (`comm`) through prctl(PR_SET_NAME /
PR_GET_NAME) and /proc/PID/{comm,stat,status}, inherited by fork and threads, per thread in
/proc/PID/task/TID/comm, reset by execve — natively (Linux's answers) and on our kernel. Busybox's
`ps` in `make shell` depends on it (tests/system/test_busybox_ps.py)."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary


@pytest.mark.parametrize("variant", ["musl", "glibc"])
def test_prctl_name(runner, variant):
    result = runner.run(binary(variant, "prctl_name"))
    assert_no_fail(result)
    assert_lines(result, [
        r"prctl_name: at start the name is the file's base name",
        r"prctl_name: a set name shows in PR_GET_NAME, comm, stat and status; cut to 15 bytes",
        r"prctl_name: a name just before an unmapped page is read; an unmapped one is EFAULT",
        r"prctl_name: fork and threads inherit the name; a thread's own name is its own",
        r"prctl_name: after execve the name is the file's base name again",
        r"prctl_name: all \d+ checks passed",
    ])
    assert_status(result, 0)
