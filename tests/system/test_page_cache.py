"""The page cache behind execve (issue 11 §3): every process running one program maps the
same cache frames for the program's pages. tests/programs/exec_shared_text.c keeps ten
exec'd copies of itself alive at once; the kernel's end-of-launch line says how many file
pages were read into the cache (each at most once for all eleven images), how many faults
mapped a page already cached, and the most mappings one cache frame had — and the launch's
frames and commit come back exactly when the cache is dropped with it."""

import os
import re
import subprocess

import pytest

from conftest import IMAGE, ROOT

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
CHILDREN = 10
PAGE = 4096
CACHE_LINE = re.compile(
    r"page cache: (\d+) files, (\d+) pages read, (\d+) faults mapped a cached page, "
    r"up to (\d+) mappings of one frame")


def program(variant):
    path = os.path.join(ROOT, "build", "programs", variant, "exec_shared_text")
    if not os.path.exists(path):
        subprocess.run(["make", "-s", "-C", ROOT, "userspace-programs"], check=True, timeout=300)
    return path


@pytest.mark.parametrize("variant", ["raw", "musl"])
def test_ten_processes_of_one_program_share_its_frames(variant):
    path = program(variant)
    env = dict(os.environ, RUN_ELF_KERNEL=IMAGE, RUN_ELF_VERBOSE="1")
    completed = subprocess.run([RUN_ELF, path], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=120, check=False)
    stdout = completed.stdout.decode(errors="replace")
    stderr = completed.stderr.decode(errors="replace")
    assert completed.returncode == 0, stdout + stderr
    assert "exec_shared_text: 10 children ran the program at once" in stdout, stdout
    match = CACHE_LINE.search(stderr)
    assert match, stderr
    files, read, shared, most = (int(group) for group in match.groups())
    file_pages = (os.path.getsize(path) + PAGE - 1) // PAGE
    assert files == 1, match.group(0)
    # Eleven images, each page read from the file once: the ten exec'd ones map the cache.
    assert 0 < read <= file_pages, match.group(0)
    assert shared >= CHILDREN, match.group(0)
    # The parent and all ten children map one text frame at the same time.
    assert most >= CHILDREN + 1, match.group(0)
    assert "frames back to baseline" in stderr and "MISMATCH" not in stderr, stderr
