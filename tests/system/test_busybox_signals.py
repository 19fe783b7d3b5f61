"""busybox's shell sends itself signals (issue 8, item 4): `busybox sh -c 'kill -WINCH $$; echo
alive'` used to die on our kernel (status 156). The script runs natively and on our kernel, and
both must print the same lines and end the same way.

Debian's busybox-static (a static glibc binary) is fetched once with `apt-get download` into
.cache/busybox (git-ignored), as tools/run-linux fetches its kernel; the tests are skipped when
that is not possible. Multiboot module strings cannot carry spaces, so the scripts separate
words with `${IFS}`: the shell's field splitting turns each `${IFS}` into a word break."""

import os
import subprocess

import pytest

from conftest import IMAGE, ROOT
from debian_package import unpacked_binary

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
SIGTERM_STATUS = 128 + 15


@pytest.fixture(scope="module")
def busybox():
    return unpacked_binary("busybox-static", "busybox", os.path.join("bin", "busybox"))


def words(*commands):
    """One shell command line per argument, words joined by ${IFS}, commands by `;`."""
    return ";".join("${IFS}".join(command.split()) for command in commands)


SCRIPT = words(
    "kill -WINCH $$", "kill -CHLD $$", "kill -URG $$", "kill -CONT $$", "echo alive",
    "trap : USR1", "kill -USR1 $$", "echo trapped", "trap - USR1",
    "trap '' TERM", "kill -TERM $$", "echo ignored", "trap - TERM",
    "kill -TERM $$", "echo not-here")


def run_both(busybox, script):
    native = subprocess.run([busybox, "sh", "-c", script], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, timeout=30)
    ours = subprocess.run([RUN_ELF, busybox, "sh", "-c", script], cwd=ROOT,
                          env=dict(os.environ, RUN_ELF_KERNEL=IMAGE, RUN_ELF_TIMEOUT="60"),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=120)
    status = native.returncode if native.returncode >= 0 else 128 - native.returncode
    return (status, native.stdout.decode()), (ours.returncode, ours.stdout.decode(),
                                               ours.stderr.decode())


def test_busybox_shell_survives_ignored_and_caught_signals_and_dies_of_sigterm(busybox):
    (native_status, native_out), (status, out, err) = run_both(busybox, SCRIPT)
    assert native_out == "alive\ntrapped\nignored\n" and native_status == SIGTERM_STATUS
    assert out == native_out, err
    assert status == native_status, err
