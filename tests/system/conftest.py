"""Shared helpers for the QEMU system tests: every run goes through tools/qemu-run, which puts
QEMU under a hard timeout; these helpers add a second one around the subprocess itself."""

import os
import shutil
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILT_IMAGE = os.path.join(ROOT, "build", "kernel32.elf")


def _private_image():
    """A copy of the built image for this test session, so that a concurrent rebuild of
    build/ (another `make` in the same tree) cannot change the kernel under a running test."""
    if not os.path.exists(BUILT_IMAGE):
        return BUILT_IMAGE
    copy = os.path.join(tempfile.mkdtemp(prefix="kernel-image-"), "kernel32.elf")
    shutil.copyfile(BUILT_IMAGE, copy)
    return copy


IMAGE = _private_image()

# The isa-debug-exit contract (Kernel/Arch/QEMUExit.swift): QEMU exits with 2v+1.
EXIT_SUCCESS = 33
EXIT_PANIC = 35
EXIT_TESTS_FAILED = 37


class KernelRun:
    """The result of one boot: QEMU's exit status, the serial output, the wall time."""

    def __init__(self, status, output, seconds):
        self.status = status
        self.output = output
        self.seconds = seconds

    def __repr__(self):
        return f"KernelRun(status={self.status}, seconds={self.seconds:.2f})\n{self.output}"


def boot(append=None, timeout=30, extra=()):
    """Boots the kernel once with `append` as its command line and returns a KernelRun."""
    if not os.path.exists(IMAGE):
        pytest.fail(f"{IMAGE} is missing: run `make kernel` first")
    command = [os.path.join(ROOT, "tools", "qemu-run"), "--timeout", str(timeout),
               "--image", IMAGE, "--"]
    if append:
        command += ["-append", append]
    command += list(extra)
    start = time.monotonic()
    completed = subprocess.run(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=timeout + 15, check=False)
    output = completed.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    return KernelRun(completed.returncode, output, time.monotonic() - start)
