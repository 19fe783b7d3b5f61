"""/proc read by the process it describes (issue 11 §4): tests/programs/proc_self.c checks its own
maps lines exactly (anonymous, PROT_NONE, MAP_SHARED's "/dev/zero (deleted)", [stack], [heap],
the program's text naming /proc/self/exe), status (VmRSS grows by what it touched), meminfo
(how far MemFree falls when memory is touched), stat, cmdline, comm and /proc/self — natively
(Linux's behaviour) and on our kernel, where MemFree must fall by the whole 64 MiB touched (a
host's MemFree moves with every other process on it, so natively the figure is only read)."""

import re

from test_programs import assert_no_fail, assert_status, binary


def test_proc_self(runner):
    result = runner.run(binary("musl", "proc_self"), ["one", "two words"])
    assert_no_fail(result)
    assert_status(result, 0)
    assert re.search(r"^proc_self: all \d+ checks passed$", result.stdout, re.M), result
    fell = int(re.search(r"MemFree fell by (\d+) kB", result.stdout).group(1))
    if runner.name == "kernel":
        # The kernel's MemFree is the frame bitmap's: every touched page is one frame fewer
        # (plus the page tables the 64 MiB need).
        assert 65536 <= fell < 65536 + 1024, result
