"""Debian's busybox `ps` run by name from busybox's shell, on our kernel and on Linux 6.1
(tools/run-linux --proc --root), as in `make shell`: the shell runs such a "no-exec" applet in a
forked child without an `execve` and names the child with prctl(PR_SET_NAME), so `ps` lists
itself as `{ps} /bin/sh -c …` (its comm, then the shell's command line, which it still has) —
not as a second `/bin/sh -c …` (that is the shell itself, which forked it). busybox is fetched
as in test_busybox_signals.py (skipped when it cannot be)."""

import os
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT
from test_busybox_signals import busybox  # noqa: F401  (the fixture)

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
RUN_LINUX = os.path.join(ROOT, "tools", "run-linux")
# `ps` is not the script's last command, so the shell forks for it (a last one it would run in
# its own process).
SCRIPT = "ps; echo '=== end'"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, busybox):  # noqa: F811
    root = tmp_path_factory.mktemp("psroot")
    (root / "bin").mkdir()
    shutil.copy(busybox, root / "bin" / "busybox")
    os.chmod(root / "bin" / "busybox", 0o755)
    for applet in ["sh", "ps"]:
        os.symlink("busybox", root / "bin" / applet)
    command = ["--root", str(root), "/bin/sh", "-c", SCRIPT]
    ours = subprocess.run([RUN_ELF, *command], cwd=ROOT, env=dict(os.environ, RUN_ELF_KERNEL=IMAGE),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=200)
    linux = subprocess.run([RUN_LINUX, "--proc", *command], cwd=ROOT, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=200)
    if linux.returncode == 125:
        pytest.skip("tools/run-linux could not run Linux: " + linux.stderr.decode()[-300:])
    assert ours.returncode == 0, ours.stdout.decode() + ours.stderr.decode()
    assert linux.returncode == 0, linux.stdout.decode()
    return ours.stdout.decode().splitlines(), linux.stdout.decode().splitlines()


def commands(lines):
    """The COMMAND column of `ps`'s lines."""
    end = lines.index("=== end")
    return [line.split(None, 2)[2] for line in lines[1:end] if len(line.split(None, 2)) == 3]


def test_ps_lists_itself_by_its_name(outputs):
    for lines in outputs:
        own = [command for command in commands(lines) if command.startswith("{ps} ")]
        assert own == ["{ps} /bin/sh -c " + SCRIPT], lines
        shells = [command for command in commands(lines) if command.startswith("/bin/sh -c ")]
        assert len(shells) == 1, lines  # the shell itself, once: the child is not a second shell

