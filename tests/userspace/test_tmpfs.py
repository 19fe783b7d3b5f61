"""tests/programs/tmpfs_calls.c and tmpfs_big.c: the writable file system (issue 11 §1) — the
file and name calls with Linux's answers for every bad input, an unlinked file living while
open, a directory read while it changes, the devices; and a 96 MiB file written, read back and
unlinked four times with its memory coming back each time. Natively (in the host's /tmp:
Linux's answers) and on our kernel (its /tmp, in the launch's in-RAM root; run-elf also checks
that every frame came back at the end)."""

from test_programs import assert_lines, assert_no_fail, assert_status, binary


def test_tmpfs_calls(runner):
    result = runner.run(binary("musl", "tmpfs_calls"))
    assert_no_fail(result)
    assert_lines(result, [r"tmpfs_calls: \d+ checks, 0 failed"])
    assert_status(result, 0)


def test_tmpfs_big_file_four_times(runner, monkeypatch):
    monkeypatch.setenv("RUN_ELF_TIMEOUT", "240")  # 768 MiB copied under TCG: ~30 s
    result = runner.run(binary("musl", "tmpfs_big"), timeout=240)
    assert_no_fail(result)
    assert_lines(result, [r"tmpfs_big: 4 rounds of 96 MiB written, read and unlinked, 0 failed"])
    assert_status(result, 0)


def test_memfd_and_exec_of_a_written_file(runner):
    """tests/programs/tmpfs_exec_memfd.c: memfd_create shared across fork, and a program
    copied to /tmp at run time executed (twice at once, then rewritten and run again)."""
    result = runner.run(binary("musl", "tmpfs_exec_memfd"))
    assert_no_fail(result)
    assert_lines(result, [r"tmpfs_exec_memfd: (first|second|third) ran",
                          r"tmpfs_exec_memfd: \d+ checks, 0 failed"])
    assert_status(result, 0)
