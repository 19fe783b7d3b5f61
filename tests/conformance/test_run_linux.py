"""tools/run-linux keeps the run-elf contract: argv reaches the program, stdout is exactly the
program's output, the exit status is the program's, 128+N when signal N killed it. Each test
boots Linux once under QEMU (a few seconds)."""

import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_LINUX = os.path.join(ROOT, "tools", "run-linux")

PROGRAM = r"""
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) printf("[%s]\n", argv[i]);
    if (argc > 1 && strcmp(argv[1], "segv") == 0) { fflush(stdout); *(volatile int *)8 = 1; }
    if (argc > 1 && strcmp(argv[1], "abort") == 0) { fflush(stdout); raise(SIGABRT); }
    printf("tail without newline");
    return argc > 1 ? atoi(argv[1]) : 0;
}
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    cc = shutil.which("musl-gcc")
    if cc is None:
        pytest.skip("musl-gcc missing")
    d = tmp_path_factory.mktemp("run-linux")
    src, out = d / "p.c", d / "p"
    src.write_text(PROGRAM)
    subprocess.run([cc, "-static", "-O2", "-o", str(out), str(src)], check=True)
    return str(out)


def run(program, *args):
    r = subprocess.run([RUN_LINUX, "--timeout", "120", program, *args], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
    return r.returncode, r.stdout


@pytest.mark.slow
def test_exit_status_argv_and_exact_output(program):
    status, out = run(program, "42", "two  words", "")
    assert status == 42
    assert out == b"[42]\n[two  words]\n[]\ntail without newline"


@pytest.mark.slow
def test_killed_by_sigsegv_is_139(program):
    status, out = run(program, "segv")
    assert status == 139
    assert out == b"[segv]\n"


@pytest.mark.slow
def test_killed_by_sigabrt_is_134(program):
    status, _ = run(program, "abort")
    assert status == 134
