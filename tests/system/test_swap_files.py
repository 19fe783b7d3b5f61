"""A file-heavy load under memory pressure (issue 12): tests/programs/swap-files.c maps and
reads big read-only files of the root file system while private memory fills the rest of RAM.
The root's files live in the initramfs module, which stays in RAM for the kernel's lifetime
(PROCESSES.md "Root file system": file contents are ranges of the module, its frames
reserved), so the files cannot be larger than RAM; what must shrink is the page cache that
mapping and reading them fills (one more frame per page). With FILES x FILE_MIB of files
(the module) cached, and PRIVATE_MIB of private memory, RAM holds at most two of the three:
the cache hand drops clean cache pages (meminfo Cached falls) and refills them from the
module, while private pages go to swap — and every word read back, by mmap and by read(),
must be the file's. Natively on the host's directory, on our kernel with --root, and on Linux
6.1 with the same RAM and disk (there the root is tmpfs: its pages are swapped, not dropped,
so only the words are compared)."""

import array
import os
import re
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
RUN_LINUX = os.path.join(ROOT, "tools", "run-linux")
MEMORY = "128M"
SWAP = "256M"
FILES = 3
FILE_MIB = 16
LINUX_FILE_MIB = 8
PRIVATE_MIB = 64
TIMEOUT_SECONDS = 600
FILE_MULTIPLIER = 0x9E3779B97F4A7C15  # swap-files.c's FILE_MULTIPLIER
MASK = (1 << 64) - 1
CACHED = re.compile(r"swap-files: Cached after the files (\d+) kB, under pressure (\d+) kB")
SWAP_LINE = re.compile(r"swap: (\d+) pages written, (\d+) read, (\d+) I/O errors; (\d+) reclaim "
                       r"passes, (\d+) clean cache pages dropped")


def file_words(index, count):
    base = ((index + 1) * FILE_MULTIPLIER) & MASK
    return array.array("Q", (base ^ (8 * i) for i in range(count)))


def make_tree(tmp_path_factory, file_mib):
    subprocess.run(["make", "-s", "-C", ROOT, "build/programs/musl/swap-files"], check=True,
                   timeout=300)
    root = tmp_path_factory.mktemp("swapfiles")
    (root / "bin").mkdir()
    (root / "data").mkdir()
    shutil.copy(os.path.join(ROOT, "build", "programs", "musl", "swap-files"),
                root / "bin" / "swap-files")
    for index in range(FILES):
        with open(root / "data" / ("f%d" % index), "wb") as out:
            file_words(index, file_mib << 17).tofile(out)
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return make_tree(tmp_path_factory, FILE_MIB)


def names(prefix):
    return [prefix + "/data/f%d" % index for index in range(FILES)]


def assert_passed(stdout):
    assert re.search(r"swap-files: all \d+ checks passed", stdout), stdout
    assert "FAIL" not in stdout, stdout


def test_swap_files_natively(tree):
    completed = subprocess.run([str(tree / "bin" / "swap-files"), "8", *names(str(tree))],
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert completed.returncode == 0, completed.stdout.decode()
    assert_passed(completed.stdout.decode())


def test_page_cache_shrinks_under_pressure_and_no_byte_is_lost(tree):
    env = dict(os.environ, RUN_ELF_KERNEL=IMAGE, RUN_ELF_VERBOSE="1", RUN_ELF_MEMORY=MEMORY,
               RUN_ELF_SWAP=SWAP, RUN_ELF_TIMEOUT=str(TIMEOUT_SECONDS))
    completed = subprocess.run(
        [RUN_ELF, "--root", str(tree), "/bin/swap-files", str(PRIVATE_MIB), *names("")],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
        timeout=TIMEOUT_SECONDS + 60, check=False)
    stdout = completed.stdout.decode(errors="replace")
    stderr = completed.stderr.decode(errors="replace")
    assert completed.returncode == 0, stdout + stderr[-3000:]
    assert_passed(stdout)
    before, under = (int(value) for value in CACHED.search(stdout).groups())
    assert before >= FILES * FILE_MIB * 1024, stdout  # every file page was cached
    assert under < before - 4096, stdout  # the cache gave back at least 4 MiB
    swap = SWAP_LINE.findall(stderr)
    assert swap, stderr[-3000:]
    written, read, errors, passes, dropped = (int(value) for value in swap[-1])
    assert errors == 0 and dropped > 0, swap[-1]
    assert "frames back to baseline" in stderr and "MISMATCH" not in stderr, stderr[-3000:]


@pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, ".cache", "linux")),
                    reason="no cached Linux kernel")
def test_linux_reads_the_same_files_under_the_same_pressure(tmp_path_factory):
    # Linux keeps the initramfs image until it has unpacked it into its tmpfs root, so the
    # root costs it twice: with 48 MiB of files in 128 MiB its init never starts. Smaller files.
    tree = make_tree(tmp_path_factory, LINUX_FILE_MIB)
    env = dict(os.environ, RUN_ELF_MEMORY=MEMORY, RUN_ELF_SWAP=SWAP,
               RUN_LINUX_TIMEOUT=str(TIMEOUT_SECONDS))
    completed = subprocess.run(
        [RUN_LINUX, "--proc", "--root", str(tree), "/bin/swap-files", str(PRIVATE_MIB),
         *names("")], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
        timeout=TIMEOUT_SECONDS + 60, check=False)
    if completed.returncode == 125:
        pytest.skip("tools/run-linux could not run Linux: " + completed.stderr.decode()[-300:])
    stdout = completed.stdout.decode(errors="replace")
    assert completed.returncode == 0, stdout
    assert_passed(stdout)
