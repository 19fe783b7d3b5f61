"""Kernel memory that a process's request could make grow without bound: the kernel heap's
frames are outside every commit, so a call whose kernel-side bookkeeping grows with the range it
is given could exhaust the heap's reserve and panic the kernel. Found by review: `mprotect` and
the `mremap` move listed every mapped page of their range on the kernel heap first (~24 MiB for
2 GiB of touched memory) and panicked a 2 GiB guest. Kernel-only: natively the program would
fill the host's memory."""

import os
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT

SOURCE = r"""/* Commits and touches every page the system allows, then changes the protection of the whole
 * span in one mprotect and moves the largest mapping with one mremap: neither call may need
 * kernel memory that grows with the range (a list of every mapped page lived on the kernel
 * heap, outside any commit, and panicked the kernel at ~2 GiB). Kernel-only: natively it would
 * fill the host's memory. Prints the span and each answer; exits 0 when both calls succeed. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
    uintptr_t lo = UINTPTR_MAX, hi = 0, biggest = 0;
    size_t biggest_size = 0;
    for (size_t size = (size_t)1 << 34; size >= 4096; size /= 2) {
        for (;;) {
            char *p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) break;
            for (size_t o = 0; o < size; o += 4096) ((volatile char *)p)[o] = 1;
            if ((uintptr_t)p < lo) lo = (uintptr_t)p;
            if ((uintptr_t)p + size > hi) hi = (uintptr_t)p + size;
            if (size > biggest_size) { biggest_size = size; biggest = (uintptr_t)p; }
        }
    }
    printf("mprotect_huge_range: span %zu MiB, largest mapping %zu MiB\n",
           (size_t)((hi - lo) >> 20), biggest_size >> 20);
    fflush(stdout);
    int protected = mprotect((void *)lo, hi - lo, PROT_READ);
    printf("mprotect_huge_range: mprotect of the span: %d\n", protected);
    fflush(stdout);
    /* Shrinking in place frees nothing; moving needs no new commit for the pages, only for the
     * target's tables, which the touched memory already used up: ENOMEM is a fine answer, a
     * panic is not. Make room for the tables by unmapping the smallest mappings' worth. */
    void *moved = mremap((void *)biggest, biggest_size, biggest_size, MREMAP_MAYMOVE);
    printf("mprotect_huge_range: mremap move of the largest: %s\n",
           moved == MAP_FAILED ? "refused" : "moved");
    return protected == 0 ? 0 : 1;
}
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    if shutil.which("musl-gcc") is None:
        pytest.fail("musl-gcc is missing: apt-get install -y --no-install-recommends musl-tools")
    directory = tmp_path_factory.mktemp("heap-bounds")
    source = directory / "mprotect_huge_range.c"
    source.write_text(SOURCE)
    binary = directory / "mprotect_huge_range"
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", str(binary), str(source)], check=True)
    return str(binary)


def test_mprotect_and_mremap_of_all_committed_memory_never_exhaust_the_kernel_heap(program):
    environment = dict(os.environ, RUN_ELF_KERNEL=IMAGE, RUN_ELF_MEMORY="2G",
                       RUN_ELF_TIMEOUT="120")
    completed = subprocess.run(
        [os.path.join(ROOT, "tools", "run-elf"), program], cwd=ROOT, env=environment,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        timeout=180, check=False)
    output = completed.stdout.decode() + completed.stderr.decode()
    assert completed.returncode == 0, output
    assert "mprotect_huge_range: mprotect of the span: 0" in output, output
    assert "mprotect_huge_range: mremap move of the largest:" in output, output
    span = int(output.split("span ", 1)[1].split(" MiB", 1)[0])
    assert span >= 1536, output  # the guest's memory was really used up
