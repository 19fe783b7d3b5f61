"""Swap under pressure (issue 12's system tests): several processes under pressure at once,
swap full -> ENOMEM at the next reservation while everything committed keeps working, and
busybox `free` showing the swap area — each on our kernel (128 MiB of RAM, a fresh mkswap'd
disk: RUN_ELF_MEMORY / RUN_ELF_SWAP of tools/run-elf) and on Linux 6.1 with the same RAM and
disk (tools/run-linux), and natively where the program does not need the machine's size.

- tests/programs/swap-multi.c: four children at once, each filling and checking its own
  private memory (1.5x RAM together), pairs joined by pipes, ended in the order 2, 0, 3, 1
  with the others re-checking pages between exits. Our kernel must write pages to swap and
  read them back and end with frames and slots at their baseline ("frames back to baseline";
  a leaked slot is a FRAME ACCOUNTING MISMATCH, status 125).
- tests/programs/swap-full.c: one mapping above RAM + swap is ENOMEM on both kernels. Our
  commit is strict (RAM + swap), so reservations stop with ENOMEM before RAM + swap, and then
  every reserved page works although it needs the swap area. Linux's default heuristic
  (vm.overcommit_memory = 0) refuses only a single request above RAM + swap and grants any sum
  of smaller ones (it would OOM-kill to serve them), so its strict mode
  (sysctl.vm.overcommit_memory=2: CommitLimit = swap + 50 % of RAM) is what both agree with:
  refusal at the reservation, then everything committed works, brk and fork refused at the
  limit, fork granted once three quarters are given back.
"""

import os
import re
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT
from test_busybox_signals import busybox  # noqa: F401  (the fixture)

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
RUN_LINUX = os.path.join(ROOT, "tools", "run-linux")
MEMORY = "128M"
MEMORY_MIB = 128
TIMEOUT_SECONDS = 600
SWAP_LINE = re.compile(r"swap: (\d+) pages written, (\d+) read, (\d+) I/O errors")
HAVE_LINUX = os.path.exists(os.path.join(ROOT, ".cache", "linux"))
# swap-multi: children and MiB each (1.5x RAM together, each a little over a third of RAM).
CHILDREN = 4
CHILD_MIB = 48
EXIT_ORDER = [2, 0, 3, 1]
# mkswap's 64 MiB area: pages 1..16383.
SMALL_SWAP = "64M"
SMALL_SWAP_KIB = 65532


def program(name):
    path = os.path.join("build", "programs", "musl", name)
    subprocess.run(["make", "-s", "-C", ROOT, path], check=True, timeout=300)
    return os.path.join(ROOT, path)


def ours(arguments, swap, timeout=TIMEOUT_SECONDS):
    env = dict(os.environ, RUN_ELF_KERNEL=IMAGE, RUN_ELF_VERBOSE="1", RUN_ELF_MEMORY=MEMORY,
               RUN_ELF_SWAP=swap, RUN_ELF_TIMEOUT=str(timeout))
    completed = subprocess.run([RUN_ELF, *arguments], cwd=ROOT, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout + 60, check=False)
    return (completed.returncode, completed.stdout.decode(errors="replace"),
            completed.stderr.decode(errors="replace"))


def linux(arguments, swap, options=(), timeout=TIMEOUT_SECONDS):
    env = dict(os.environ, RUN_ELF_MEMORY=MEMORY, RUN_ELF_SWAP=swap,
               RUN_LINUX_TIMEOUT=str(timeout))
    completed = subprocess.run([RUN_LINUX, "--proc", *options, *arguments], cwd=ROOT, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout + 60, check=False)
    if completed.returncode == 125:
        pytest.skip("tools/run-linux could not run Linux: " + completed.stderr.decode()[-300:])
    return completed.returncode, completed.stdout.decode(errors="replace")


def assert_swapped_and_clean(stdout, stderr):
    """The kernel's end-of-launch lines: pages went to swap and came back, no I/O error,
    frames (and, in the same check, swap slots) back at their baseline."""
    swap = SWAP_LINE.findall(stderr)
    assert swap, stderr[-3000:]
    written, read, errors = (int(value) for value in swap[-1])
    assert written > 0 and read > 0 and errors == 0, swap[-1]
    assert "frames back to baseline" in stderr and "MISMATCH" not in stderr, stderr[-3000:]
    assert "FAIL" not in stdout, stdout
    return written, read


def assert_multi_passed(stdout):
    checks = CHILDREN + sum(range(1, CHILDREN + 1)) + CHILDREN + 1
    assert "swap-multi: all %d checks passed" % checks in stdout, stdout
    exits = re.findall(r"child (\d+) exited with every page right \(exit (\d+) of", stdout)
    assert [int(child) for child, _ in exits] == EXIT_ORDER, stdout


def test_swap_multi_natively():
    completed = subprocess.run([program("swap-multi"), str(CHILD_MIB), str(CHILDREN)],
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert completed.returncode == 0, completed.stdout.decode()
    assert_multi_passed(completed.stdout.decode())


def test_four_processes_under_pressure_at_once_keep_every_page():
    status, stdout, stderr = ours([program("swap-multi"), str(CHILD_MIB), str(CHILDREN)], "1G")
    assert status == 0, stdout + stderr[-3000:]
    assert_multi_passed(stdout)
    written, _ = assert_swapped_and_clean(stdout, stderr)
    # At least the part of the working set that cannot be in RAM went out.
    assert written >= (CHILDREN * CHILD_MIB - MEMORY_MIB) * 256, written


@pytest.mark.skipif(not HAVE_LINUX, reason="no cached Linux kernel")
def test_linux_runs_the_same_four_processes():
    status, stdout = linux([program("swap-multi"), str(CHILD_MIB), str(CHILDREN)], "1G",
                           options=("--thp", "never"))
    assert status == 0, stdout
    assert_multi_passed(stdout)


def reserved(stdout):
    found = re.search(r"swap-full: reserved (\d+) MiB of RAM\+swap (\d+) MiB before ENOMEM", stdout)
    assert found, stdout
    return int(found.group(1)), int(found.group(2))


def test_swap_full_refuses_the_next_reservation_and_keeps_everything_committed():
    status, stdout, stderr = ours([program("swap-full"), "strict"], SMALL_SWAP)
    assert status == 0, stdout + stderr[-3000:]
    assert re.search(r"swap-full: all \d+ checks passed", stdout), stdout
    got, ram_and_swap = reserved(stdout)
    # Commit = RAM + swap: more than RAM alone was granted, never more than both.
    assert MEMORY_MIB < got < ram_and_swap, stdout
    assert_swapped_and_clean(stdout, stderr)


@pytest.mark.skipif(not HAVE_LINUX, reason="no cached Linux kernel")
def test_linux_strict_commit_agrees():
    status, stdout = linux([program("swap-full"), "strict"], SMALL_SWAP,
                           options=("--append", "sysctl.vm.overcommit_memory=2"))
    assert status == 0, stdout
    got, ram_and_swap = reserved(stdout)
    # CommitLimit = swap + 50 % of RAM: the swap area counts there too.
    assert SMALL_SWAP_KIB // 1024 < got < ram_and_swap, stdout


@pytest.mark.skipif(not HAVE_LINUX, reason="no cached Linux kernel")
def test_linux_default_heuristic_refuses_only_one_mapping_above_ram_and_swap():
    status, stdout = linux([program("swap-full"), "heuristic"], SMALL_SWAP)
    assert status == 0, stdout
    assert "heuristic overcommit granted more than" in stdout, stdout


def free_swap_line(stdout):
    found = re.search(r"^Swap:\s+(\d+)\s+(\d+)\s+(\d+)\s*$", stdout, re.M)
    assert found, stdout
    return tuple(int(value) for value in found.groups())


def test_busybox_free_shows_the_swap_area_on_both_kernels(tmp_path, busybox):  # noqa: F811
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    shutil.copy(busybox, root / "bin" / "busybox")
    os.chmod(root / "bin" / "busybox", 0o755)
    for applet in ["sh", "free"]:
        os.symlink("busybox", root / "bin" / applet)
    command = ["--root", str(root), "/bin/sh", "-c", "PATH=/bin; free"]
    status, stdout, stderr = ours(command, SMALL_SWAP, timeout=120)
    assert status == 0, stdout + stderr[-2000:]
    total, used, free = free_swap_line(stdout)
    assert total == SMALL_SWAP_KIB and used + free == total and used == 0, stdout
    if HAVE_LINUX:
        status, stdout = linux(command, SMALL_SWAP, timeout=200)
        assert status == 0, stdout
        total, used, free = free_swap_line(stdout)
        assert total == SMALL_SWAP_KIB and used + free == total, stdout
