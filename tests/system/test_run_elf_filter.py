"""tools/run-elf's output filter on synthetic serial streams: program bytes pass through
exactly, kernel lines are taken out (including the line feed the kernel inserted before a
`[kernel]+ ` line), and the status line is read. No QEMU needed."""

import importlib.machinery
import importlib.util
import io
import os
import sys

from conftest import ROOT


def load_run_elf():
    path = os.path.join(ROOT, "tools", "run-elf")
    loader = importlib.machinery.SourceFileLoader("run_elf", path)
    spec = importlib.util.spec_from_loader("run_elf", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


RUN_ELF = load_run_elf()


def filtered(chunks, monkeypatch):
    stdout, stderr = io.BytesIO(), io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(stdout))
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(stderr))
    output = RUN_ELF.OutputFilter(verbose=False)
    for chunk in chunks:
        output.feed(chunk)
    output.finish()
    sys.stdout.flush()
    sys.stderr.flush()
    return stdout.getvalue(), stderr.getvalue(), output.status


BOOT = b"Swift kernel: in long mode\r\nBoot complete\r\n"
START = b"[kernel] pid 1 (prog) started: prog\r\n"
END = (b"[kernel] pid 1 (prog) exited with status 3; 1 demand faults\r\n"
       b"[kernel] pid 1 (prog) frames back to baseline: 10 free\r\n"
       b"[kernel] exit-status 3\r\n[kernel] all 1 programs done\r\n")


def test_program_output_passes_exactly(monkeypatch):
    stdout, _, status = filtered([BOOT, START, b"one\ntwo\r\n", b"thr", b"ee\n", END],
                                 monkeypatch)
    assert stdout == b"one\ntwo\r\nthree\n"
    assert status == 3


def test_the_kernels_line_feed_before_a_continuation_line_is_removed(monkeypatch):
    stream = [BOOT, START, b"partial",
              b"\r\n[kernel]+ pid 1 (prog) killed: read at 0x0: address not mapped, RIP 0x1, "
              b"signal 11\r\n[kernel] pid 1 (prog) was killed; 1 demand faults\r\n"
              b"[kernel] exit-status 139\r\n"]
    stdout, stderr, status = filtered(stream, monkeypatch)
    assert stdout == b"partial"
    assert b"killed: read at 0x0" in stderr
    assert status == 139


def test_boot_messages_and_kernel_lines_are_hidden(monkeypatch):
    stream = [BOOT, START, b"out\n",
              b"[kernel] pid 1 (prog) system call 57 (fork) not supported: ENOSYS\r\n", END]
    stdout, stderr, _ = filtered(stream, monkeypatch)
    assert stdout == b"out\n"
    assert b"Boot complete" not in stdout + stderr


def test_load_failure_is_reported(monkeypatch):
    stream = [BOOT, b"[kernel] pid 1 (bad) started: bad\r\n",
              b"[kernel] pid 1 (bad) not started: not an ELF file (bad magic)\r\n",
              b"[kernel] exit-status 126\r\n"]
    stdout, stderr, status = filtered(stream, monkeypatch)
    assert stdout == b""
    assert b"not started: not an ELF file" in stderr
    assert status == 126
