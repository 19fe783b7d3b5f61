"""Swap-backed object pages (issue 12: "tmpfs pages are swap-backed"): on a 128 MiB machine
with a 1 GiB swap disk (RUN_ELF_MEMORY / RUN_ELF_SWAP of tools/run-elf), tests/programs/
tmpfs_swap.c
- writes a 320 MiB file in /tmp (2.5x RAM), reads it back with read() and through a MAP_SHARED
  mapping, every word checked, rewrites a word per page through the mapping and reads those
  back with pread(), then truncates it to half and unlinks it;
- writes a 200 MiB MAP_SHARED|MAP_ANONYMOUS region, which a forked child checks word for word
  and rewrites a word per page of, and the parent checks after the child is gone.
Each time SwapFree (/proc/meminfo) must come back to its start value, less what the process's
own private pages hold (VmSwap, SwapCached). The kernel's end-of-launch lines must show pages
went to swap and came back with no I/O error, and frames, commit and slots at their baseline.
Before object pages could swap (main at 1a0f518) the file case never got past its write: the
commit allowed RAM + swap, no frame was left and none could be made, and the run timed out with
no RESULT line.
The same binary runs on Linux 6.1 with the same RAM and disk (swapon by run-linux's init)."""

import os
import re
import subprocess

import pytest

from conftest import IMAGE, ROOT

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
RUN_LINUX = os.path.join(ROOT, "tools", "run-linux")
PROGRAM = os.path.join(ROOT, "build", "programs", "musl", "tmpfs_swap")
MEMORY = "128M"
SWAP = "1G"
TIMEOUT_SECONDS = 1500
SWAP_LINE = re.compile(r"swap: (\d+) pages written, (\d+) read, (\d+) I/O errors")
SWAPFREE_LINE = re.compile(r"SWAPFREE start (\d+) end (\d+) own (\d+)")
CASES = {
    "file": (["file", "320"], {"write", "read", "mmap", "free"}, 320),
    "shm": (["shm", "200"], {"write", "child", "parent", "free"}, 200),
}


def program():
    subprocess.run(["make", "-s", "-C", ROOT, "build/programs/musl/tmpfs_swap"], check=True,
                   timeout=300)
    return PROGRAM


def results(stdout):
    return {line.split()[1] for line in stdout.splitlines() if line.startswith("RESULT ")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_object_pages_larger_than_ram_go_to_swap_and_come_back(case):
    arguments, phases, mebibytes = CASES[case]
    env = dict(os.environ, RUN_ELF_KERNEL=IMAGE, RUN_ELF_VERBOSE="1", RUN_ELF_MEMORY=MEMORY,
               RUN_ELF_SWAP=SWAP, RUN_ELF_TIMEOUT=str(TIMEOUT_SECONDS))
    completed = subprocess.run([RUN_ELF, program(), *arguments], cwd=ROOT, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=TIMEOUT_SECONDS + 60, check=False)
    stdout = completed.stdout.decode(errors="replace")
    stderr = completed.stderr.decode(errors="replace")
    assert completed.returncode == 0, stdout + stderr
    assert results(stdout) == phases, stdout
    assert "FAIL" not in stdout, stdout
    swap = SWAP_LINE.findall(stderr)
    assert swap, stderr
    written, read, errors = (int(value) for value in swap[-1])
    assert written >= (mebibytes - 128) * 256, swap[-1]  # most of the data went out
    assert read > 0 and errors == 0, swap[-1]
    assert "frames back to baseline" in stderr and "MISMATCH" not in stderr, stderr
    start, end, own = (int(value) for value in SWAPFREE_LINE.search(stdout).groups())
    assert start - end <= own, stdout  # exact here: no slots cache as Linux's


@pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, ".cache", "linux")),
                    reason="no cached Linux kernel")
@pytest.mark.parametrize("case", sorted(CASES))
def test_linux_runs_the_same_programs_with_the_same_ram_and_disk(case):
    arguments, phases, _ = CASES[case]
    env = dict(os.environ, RUN_ELF_MEMORY=MEMORY, RUN_ELF_SWAP=SWAP,
               RUN_LINUX_TIMEOUT=str(TIMEOUT_SECONDS))
    completed = subprocess.run([RUN_LINUX, "--proc", "--thp", "never", program(), *arguments],
                               cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=TIMEOUT_SECONDS + 60, check=False)
    stdout = completed.stdout.decode(errors="replace")
    assert completed.returncode == 0, stdout + completed.stderr.decode(errors="replace")
    assert results(stdout) == phases, stdout
