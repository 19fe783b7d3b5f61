"""pytest entry to the conformance harness (tests/conformance/run.py).

Fast tests check the output parsers on synthetic output. The `slow` ones boot Linux (and our
kernel when tools/run-elf exists) and need `make conformance-build` first; they are skipped when
the suites are not built. `make conformance` prints the full comparison table instead.
"""

import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

BUILD = os.path.join(run.ROOT, "build", "conformance")


def test_parse_nolibc_lines():
    out = ("Running test 'syscall'\n"
           "10 sbrk = 0                              [OK]\n"
           "15 chmod_net                            [SKIPPED]\n"
           "45 lseek_0 = 0 EBADF  != (-1 ESPIPE)    [FAIL]\n"
           "Running test 'stdlib'\n"
           "0 getenv_TERM = <linux>                  [OK]\n")
    cases = run.parse_nolibc(out)
    assert [(c.key, c.verdict, c.memory) for c in cases] == [
        ("syscall/10 sbrk", "OK", True),
        ("syscall/15 chmod_net", "SKIPPED", False),
        ("syscall/45 lseek_0", "FAIL", False),
        ("stdlib/0 getenv_TERM", "OK", False),
    ]


def test_parse_map_fixed_stops_early():
    out = ("mmap() @ 0x1000-0x6000 p=0x1000 result=No error information\n"
           "unmap() successful\n"
           "mmap() @ 0x2000-0x5000 p=0x2000 result=No error information\n"
           "mmap() @ 0x1000-0x6000 p=0x1000 result=No error information\n"
           "Error:1: mmap() succeeded when it shouldn't have\n")
    cases = run.parse_map_fixed(out)
    verdicts = [c.verdict for c in cases]
    assert verdicts[:4] == ["OK", "OK", "OK", "FAIL"]
    assert set(verdicts[4:]) == {"not run"}


def test_parse_map_fixed_wrong_errno_fails():
    out = ("mmap() @ 0x1000-0x6000 p=0x1000 result=No error information\n"
           "unmap() successful\n"
           "mmap() @ 0x2000-0x5000 p=0x2000 result=No error information\n"
           "mmap() @ 0x1000-0x6000 p=0xffffffffffffffff result=Out of memory\n")
    assert run.parse_map_fixed(out)[3].verdict == "FAIL"


def test_memory_difference_is_a_problem():
    linux = (0, [run.Case("syscall/11 brk", "OK", memory=True),
                 run.Case("syscall/29 execve_root", "OK")])
    ours = (1, [run.Case("syscall/11 brk", "FAIL", memory=True),
                run.Case("syscall/29 execve_root", "FAIL")])
    rows, problems = run.compare("nolibc-test", linux, ours, {})
    assert problems == ["nolibc-test syscall/11 brk: Linux OK, ours FAIL"]


def runners():
    sides = [("linux", "tools/run-linux")]
    if os.access(os.path.join(run.ROOT, "tools", "run-elf"), os.X_OK):
        sides.append(("ours", "tools/run-elf"))
    return sides


@pytest.mark.slow
@pytest.mark.parametrize("suite", sorted(run.SUITES))
def test_suite_matches_linux(suite):
    binary, args, parse = run.SUITES[suite]
    path = os.path.join(BUILD, binary)
    if not os.path.exists(path):
        pytest.skip("suites not built: make conformance-build")
    results = {}
    for side, runner in runners():
        status, out = run.run_suite([runner], path, args,
                                    os.path.join(BUILD, "%s.%s.pytest.out" % (suite, side)))
        results[side] = (status, parse(out))
        assert results[side][1], "%s printed no cases on %s (status %d):\n%s" % (
            suite, side, status, out)
    _, problems = run.compare(suite, results["linux"], results.get("ours"),
                              run.load_known_differences())
    assert not problems, "statuses %s; see build/conformance/%s.*.pytest.out" % (
        {k: v[0] for k, v in results.items()}, suite)
