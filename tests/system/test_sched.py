"""Many processes (issue 9 §2, §4, §5): the run-elf contract when the first process ends with
others alive, the process limit, a thread's kernel stack guard, and the kernel's evidence of
preemption. The user-side behaviour (fork/wait/kill/preemption, natively and on our kernel) is in
tests/userspace/test_sched.py; these look at the kernel's own lines and limits.

Every QEMU run has a hard timeout (tools/qemu-run, plus the subprocess timeout)."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import EXIT_PANIC, EXIT_SUCCESS, IMAGE, ROOT, boot

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
PROGRAMS = os.path.join(ROOT, "build", "programs")
RUN_TIMEOUT = 150

# The first process leaves children behind: one sleeping, one spinning, one blocked in wait4
# on a grandchild that sleeps, and a zombie it never reaps. Its status must be run-elf's.
LEAVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    if (fork() == 0) { sleep(100); return 1; }
    if (fork() == 0) { for (;;) {} }
    if (fork() == 0) { if (fork() == 0) { sleep(100); return 2; } wait(0); return 3; }
    if (fork() == 0) return 4;
    usleep(50000);
    printf("leaver: leaving 4 children behind\n");
    fflush(stdout);
    return 3;
}
"""

# Two processes read a pipe both could write: neither read can ever end (Linux hangs too).
DEADLOCK = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) {
    int fds[2];
    char c;
    if (pipe(fds) != 0) return 2;
    if (fork() == 0) return (int)read(fds[0], &c, 1);
    printf("deadlock: both read\n");
    fflush(stdout);
    return (int)read(fds[0], &c, 1);
}
"""


def program(name):
    path = os.path.join(PROGRAMS, "raw", name)
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: run `make userspace-programs` first")
    return path


def run_elf(path, *arguments, memory=None):
    environment = dict(os.environ, RUN_ELF_KERNEL=IMAGE, RUN_ELF_TIMEOUT=str(RUN_TIMEOUT - 20))
    if memory:
        environment["RUN_ELF_MEMORY"] = memory
    completed = subprocess.run(
        [RUN_ELF, path, *arguments], cwd=ROOT, env=environment, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=RUN_TIMEOUT, check=False)
    return completed.returncode, completed.stdout.decode(), completed.stderr.decode()


def compile_musl(directory, name, text):
    if shutil.which("musl-gcc") is None:
        pytest.fail("musl-gcc is missing: apt-get install -y --no-install-recommends musl-tools")
    source = directory / (name + ".c")
    source.write_text(text)
    output = str(directory / name)
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", output, str(source)], check=True)
    return output


@pytest.fixture(scope="module")
def leaver(tmp_path_factory):
    return compile_musl(tmp_path_factory.mktemp("sched"), "leaver", LEAVER)


def test_a_deadlock_is_reported_once_and_the_cpu_halts(tmp_path):
    run = boot(extra=["-initrd", compile_musl(tmp_path, "deadlock", DEADLOCK)], timeout=8)
    assert "deadlock: both read" in run.output, run
    assert run.output.count("[kernel] all 2 live processes are blocked with nothing to wake them") == 1, run
    assert "exit-status" not in run.output, run  # they wait for ever, as on Linux


def test_the_first_process_ending_kills_the_others_then_frames_are_checked(leaver):
    run = boot(extra=["-initrd", leaver + "," + leaver], timeout=60)
    assert run.status == EXIT_SUCCESS, run
    assert run.output.count("leaver: leaving 4 children behind") == 2, run
    assert re.findall(r"\[kernel\] exit-status (\d+)", run.output) == ["3", "3"], run
    # The second launch's processes are numbered after the first's: pids are per boot.
    first_pids = re.findall(r"\[kernel\] pid (\d+) \(\S*leaver\) exited", run.output)
    assert first_pids == ["1", "7"], run  # each launch: the first, 4 children, 1 grandchild
    assert run.output.count("frames back to baseline") == 2, run
    assert "FRAME ACCOUNTING" not in run.output, run
    # The frame check comes after every process of the launch has ended. Killed: the sleeper,
    # the spinner, the waiter and its child; exited: the zombie.
    for launch in run.output.split("started: ")[1:]:
        before_check = launch.split("frames back to baseline")[0]
        assert re.search(r"launch: 6 processes, at most 6 alive at once, a fork shared up to \d+ "
                         r"frames copy-on-write; of its 5 others 1 exited, 4 were killed",
                         before_check), launch
        assert before_check.count(" exited with status 3") == 1, launch


def test_run_elf_gives_the_first_process_status_and_its_output_only(leaver):
    status, stdout, stderr = run_elf(leaver)
    assert status == 3, stderr
    assert stdout == "leaver: leaving 4 children behind\n", stderr


def test_fork_refuses_cleanly_at_the_commit_limit():
    status, stdout, stderr = run_elf(program("sched_many"), "limit")
    assert status == 0, stdout + stderr
    assert re.search(r"fork refused after \d+ children: -ENOMEM", stdout), stdout
    assert "sched_many: all 4 checks passed" in stdout, stdout


def test_fork_refuses_with_eagain_at_the_process_limit():
    status, stdout, stderr = run_elf(program("sched_many"), "limit", memory="6G")
    assert status == 0, stdout + stderr
    assert "fork refused after 511 children: -11" in stdout, stdout  # 512 = Scheduler.processLimit
    assert "sched_many: all 4 checks passed" in stdout, stdout


def test_a_thread_kernel_stack_overflow_hits_its_guard_page():
    run = boot("test=thread-stack-overflow")
    assert run.status == EXIT_PANIC, run
    out = run.output
    assert "KERNEL PANIC: kernel stack overflow: double fault after touching the stack guard page" in out, run
    assert "a thread's kernel stack (the kernel stack area at 0xffffe00000000000" in out, run
    assert "<stack_overflow_provoke" in out and "not present at PT" in out, run


def test_spinners_are_preempted_and_the_kernel_says_so():
    run = boot(extra=["-initrd", program("sched_preempt")], timeout=60)
    assert run.status == EXIT_SUCCESS, run
    assert "sched_preempt: all 8 checks passed" in run.output, run
    switches = int(re.search(r"(\d+) context switches", run.output).group(1))
    # 200 ms of two spinners with a 4 ms tick: dozens of preemptions (38-50 seen under TCG),
    # not the handful of switches blocking alone makes (fork, sleep, wait: under 10).
    assert switches >= 20, run
    stacks = re.search(r"kernel stacks: 64 KiB each, deepest use (\d+) bytes, at most (\d+) at once",
                       run.output)
    assert stacks and int(stacks.group(2)) == 3 and int(stacks.group(1)) < 16384, run
