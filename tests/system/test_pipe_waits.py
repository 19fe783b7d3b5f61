"""Pipe waits are real waits (issue 9 §2, §4): a reader blocked in `read`, `poll` or `select`
on an empty pipe while the writer — a child — sleeps 2 s costs the host almost no CPU (the
scheduler halts the CPU), and wakes when the bytes arrive, not before. The program is built
here with musl and run natively too (the same answers on Linux)."""

import os
import resource
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")

SOURCE = r"""
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
                       return t.tv_sec * 1000 + t.tv_nsec / 1000000; }

int main(int argc, char **argv) {
    long delay = atol(argv[2]);
    int p[2];
    if (pipe(p)) return 2;
    pid_t child = fork();
    if (child == 0) {
        struct timespec d = { delay / 1000, (delay % 1000) * 1000000 };
        nanosleep(&d, 0);
        write(p[1], "x", 1);
        _exit(0);
    }
    close(p[1]);
    long start = ms();
    char c;
    long got = -1;
    if (strcmp(argv[1], "read") == 0) {
        got = read(p[0], &c, 1);
    } else if (strcmp(argv[1], "poll") == 0) {
        struct pollfd f = { p[0], POLLIN, 0 };
        got = poll(&f, 1, -1) == 1 && (f.revents & POLLIN) ? read(p[0], &c, 1) : -1;
    } else {
        fd_set set; FD_ZERO(&set); FD_SET(p[0], &set);
        got = select(p[0] + 1, &set, 0, 0, 0) == 1 ? read(p[0], &c, 1) : -1;
    }
    long waited = ms() - start;
    int status;
    waitpid(child, &status, 0);
    printf("%s: got %ld after %ld ms, then %ld at end of file\n", argv[1], got, waited,
           (long)read(p[0], &c, 1));
    return got == 1 && waited >= delay - 5 ? 0 : 1;
}
"""


@pytest.fixture(scope="module")
def waiter(tmp_path_factory):
    if shutil.which("musl-gcc") is None:
        pytest.fail("musl-gcc is missing: apt-get install -y --no-install-recommends musl-tools")
    directory = tmp_path_factory.mktemp("pipe-waits")
    source = directory / "pipe_wait.c"
    source.write_text(SOURCE)
    binary = str(directory / "pipe_wait")
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", binary, str(source)], check=True)
    return binary


def run_on_kernel(program, *args):
    """The program's output and the host CPU time (user + system) of run-elf and its QEMU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        [RUN_ELF, program, *args], cwd=ROOT, env=dict(os.environ, RUN_ELF_KERNEL=IMAGE),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert completed.returncode == 0, completed.stdout.decode() + completed.stderr.decode()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return completed.stdout.decode(), cpu


@pytest.mark.parametrize("how", ["read", "poll", "select"])
def test_a_reader_waiting_two_seconds_leaves_the_host_cpu_idle(waiter, how):
    native = subprocess.run([waiter, how, "200"], stdout=subprocess.PIPE, timeout=30, check=False)
    assert native.returncode == 0, native.stdout
    assert f"{how}: got 1 after" in native.stdout.decode()
    assert "then 0 at end of file" in native.stdout.decode()
    _, baseline = run_on_kernel(waiter, how, "0")
    output, waiting = run_on_kernel(waiter, how, "2000")
    assert f"{how}: got 1 after" in output and "then 0 at end of file" in output, output
    # Spinning for 2 s would cost QEMU ~2 s of host CPU; halting costs a few milliseconds.
    assert waiting - baseline < 0.5, f"{how}: {waiting:.2f} s CPU, baseline {baseline:.2f} s"
