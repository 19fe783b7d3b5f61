"""The swap disk (issue 12 §1, §6): a virtio-blk disk with mkswap's header, found at boot by
the kernel (Kernel/Devices), written and read back by `test=swap-disk`; a disk without the
header refused with one boot line; RUN_ELF_SWAP in tools/run-elf and tools/run-linux (Linux
6.1 runs swapon on the same kind of disk)."""

import os
import re
import shutil
import struct
import subprocess
import sys
import time

import pytest

from conftest import EXIT_SUCCESS, EXIT_TESTS_FAILED, IMAGE, ROOT, KernelRun

sys.path.insert(0, os.path.join(ROOT, "tools"))
import swapdisk  # noqa: E402

UUID = "5ca1ab1e-0000-4000-8000-00000000d15c"
LABEL = "virtio-test"
DISK_PAGES = 16384  # 64 MiB
BAD_PAGE = 50
# include/linux/swap.h: nr_badpages at 1032, badpages[] at 1536.
BAD_PAGE_COUNT_OFFSET = 1032
BAD_PAGES_OFFSET = 1536


def boot_with_disk(disk, append, timeout=60):
    """Boots the kernel with `disk` attached through tools/qemu-run --disk."""
    command = [os.path.join(ROOT, "tools", "qemu-run"), "--timeout", str(timeout),
               "--image", IMAGE, "--disk", disk, "--", "-append", append]
    start = time.monotonic()
    completed = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout + 15, check=False)
    output = completed.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    return KernelRun(completed.returncode, output, time.monotonic() - start)


def swap_image(directory, bad_page=None):
    """A 64 MiB sparse disk made by the machine's mkswap, optionally with one bad page
    written into its header's list (mkswap itself only finds bad blocks with -c)."""
    path = os.path.join(directory, "swap.img")
    with open(path, "wb") as image:
        image.truncate(DISK_PAGES * 4096)
    subprocess.run([swapdisk.mkswap_path(), "-L", LABEL, "-U", UUID, path], check=True,
                   stdout=subprocess.DEVNULL)
    if bad_page is not None:
        with open(path, "r+b") as image:
            image.seek(BAD_PAGE_COUNT_OFFSET)
            image.write(struct.pack("<I", 1))
            image.seek(BAD_PAGES_OFFSET)
            image.write(struct.pack("<I", bad_page))
    return path


# Kernel/Devices/SwapDiskSelfTest.swift's pattern: quadword i of slot s.
def pattern(slot, index):
    return (slot << 32) ^ index ^ 0x5A5A00000000A5A5


def test_swap_disk_writes_and_reads_back_batches(tmp_path):
    image = swap_image(str(tmp_path), bad_page=BAD_PAGE)
    run = boot_with_disk(image, "test=swap-disk")
    line = re.search(r"swap: virtio-blk \S+, (.*)", run.output)
    assert line, run
    assert line.group(1).startswith(
        "64 MiB swap area, %d slots (%d usable, 1 bad), label \"%s\", UUID %s"
        % (DISK_PAGES, DISK_PAGES - 2, LABEL, UUID)), run
    result = re.search(r"SWAP-DISK RESULT: (\d+) passed, (\d+) failed", run.output)
    assert result, run
    assert int(result.group(2)) == 0, run
    for name in ["batch of 40 slots from slot 1", "the last 3 slots",
                 "16 contiguous frames (one descriptor)", "slot 0 (the header) refused",
                 "bad slot %d refused" % BAD_PAGE, "a read past the disk's end gives IOERR",
                 "transfers work after the error",
                 "waits were interrupt-driven (no polling after boot)",
                 "every frame came back"]:
        assert "SWAP-DISK PASS " + name in run.output, run
    assert run.status == EXIT_SUCCESS, run
    # The writes reached the host's file: slots 1-40 hold their patterns, the header is intact.
    with open(image, "rb") as disk:
        header = disk.read(4096)
        assert header[4086:] == b"SWAPSPACE2"
        for slot in (1, 2, 33, 40, DISK_PAGES - 1):
            disk.seek(slot * 4096)
            words = struct.unpack("<512Q", disk.read(4096))
            assert words[0] == pattern(slot, 0) and words[511] == pattern(slot, 511), slot


def test_disk_without_swap_header_is_refused(tmp_path):
    path = os.path.join(str(tmp_path), "blank.img")
    with open(path, "wb") as image:
        image.truncate(DISK_PAGES * 4096)
    run = boot_with_disk(path, "test=swap-disk")
    assert re.search(r"swap: virtio-blk \S+ \(64 MiB\) not used as swap: no SWAPSPACE2 "
                     r"signature \(not made by mkswap\)", run.output), run
    assert "SWAP-DISK: no swap disk" in run.output, run
    assert run.status == EXIT_TESTS_FAILED, run


def test_header_larger_than_the_disk_is_refused(tmp_path):
    path = swap_image(str(tmp_path))
    with open(path, "r+b") as image:
        image.truncate(DISK_PAGES * 4096 // 2)
    run = boot_with_disk(path, "test=swap-disk")
    assert "not used as swap: the header's last page %d is past the disk's %d pages" % (
        DISK_PAGES - 1, DISK_PAGES // 2) in run.output, run


@pytest.fixture(scope="module")
def swaps_program(tmp_path_factory):
    """A static program printing /proc/swaps and the meminfo Swap lines."""
    compiler = shutil.which("musl-gcc") or shutil.which("gcc")
    directory = tmp_path_factory.mktemp("swaps")
    source = directory / "swaps.c"
    source.write_text(
        '#include <stdio.h>\n'
        'int main(void) {\n'
        '  char line[512]; FILE *f = fopen("/proc/swaps", "r");\n'
        '  if (!f) { puts("no /proc/swaps"); return 1; }\n'
        '  while (fgets(line, sizeof line, f)) fputs(line, stdout);\n'
        '  return 0;\n'
        '}\n')
    program = directory / "swaps"
    subprocess.run([compiler, "-static", "-O2", "-o", str(program), str(source)], check=True)
    return str(program)


def test_run_linux_gives_linux_the_same_swap_disk(swaps_program):
    environment = dict(os.environ, RUN_ELF_MEMORY="128M", RUN_ELF_SWAP="64M", RUN_LINUX_PROC="1")
    completed = subprocess.run([os.path.join(ROOT, "tools", "run-linux"), swaps_program],
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=300, check=False)
    output = completed.stdout.decode()
    assert completed.returncode == 0, (output, completed.stderr)
    # mkswap's 64 MiB area: pages 1..16383, 65532 KiB, on the virtio disk vda.
    assert re.search(r"/vda\s+partition\s+65532\s+0\s", output), output


def test_run_elf_attaches_a_fresh_swap_disk(swaps_program):
    environment = dict(os.environ, RUN_ELF_MEMORY="128M", RUN_ELF_SWAP="64M",
                       RUN_ELF_VERBOSE="1", RUN_ELF_KERNEL=IMAGE)
    completed = subprocess.run([os.path.join(ROOT, "tools", "run-elf"), swaps_program],
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=120, check=False)
    kernel_lines = completed.stderr.decode()
    assert re.search(r"swap: virtio-blk \S+, 64 MiB swap area, %d slots \(%d usable, 0 bad\), "
                     r"label \"run-elf-swap\"" % (DISK_PAGES, DISK_PAGES - 1), kernel_lines), \
        kernel_lines
    assert "frames: total 32768," in kernel_lines, kernel_lines  # RUN_ELF_MEMORY=128M
