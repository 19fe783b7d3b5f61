"""The terminal calls through a real pty (tests/programs/tty_termios.c): natively on the host's
Linux pty, and on the kernel through tools/run-elf, whose terminal stdin gives the program the
kernel's console terminal (Kernel/PROCESSES.md, "The console terminal"). The host waits for
each prompt, types, and the whole transcript — the program's output and the terminal's echo —
must be Linux's: canonical editing with erase, poll and a raw read, ^C as SIGINT ending a read."""

import os
import pty
import select
import time

import pytest

import runners

PROGRAM = os.path.join(runners.ROOT, "build", "programs", "musl", "tty_termios")
# (prompt to wait for, keys to type): a line with an erase, one raw key, ^C.
STEPS = [(b"line> ", b"abX\x7fc\r"), (b"raw> ", b"q"), (b"signal> ", b"\x03")]
KERNEL_WAIT = 120
NATIVE_WAIT = 10


def converse(command, wait):
    """Runs `command` on a new pty; answers each prompt; returns (transcript, status)."""
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    transcript = b""
    deadline = time.monotonic() + wait

    def until(predicate):
        nonlocal transcript
        while not predicate() and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    return
                if not data:
                    return
                transcript += data

    try:
        for prompt, keys in STEPS:
            until(lambda: prompt in transcript)
            assert prompt in transcript, transcript
            time.sleep(0.3)  # the program is in its read now
            os.write(master, keys)
        until(lambda: False)  # to the end of the output (EOF on the pty), or the deadline
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(master)
    return transcript, os.waitstatus_to_exitcode(status)


def normalized(transcript):
    """Line ends as Linux's pty shows them to the reader (ONLCR: our CR LF arrives as CR CR LF
    through the host pty, run-elf having left OPOST on)."""
    return transcript.replace(b"\r\r\n", b"\n").replace(b"\r\n", b"\n")


def test_termios_line_editing_raw_read_and_interrupt_on_a_terminal(runner):
    if runner.name == "linux":
        pytest.skip("tools/run-linux gives the program no terminal")
    if not os.path.exists(PROGRAM):
        pytest.skip("make userspace-programs first")
    if runner.name == "native":
        command, wait = [PROGRAM], NATIVE_WAIT
    else:
        command, wait = ["env", "RUN_ELF_TIMEOUT=90", runners.RUN_ELF, PROGRAM], KERNEL_WAIT
    transcript, status = converse(command, wait)
    text = normalized(transcript).decode("utf-8", "replace")
    assert "FAIL" not in text, text
    body = text[text.index("line> "):]
    assert body == (
        "line> abX\b \bc\n"
        "line 4: 61 62 63 0a\n"
        "raw> raw 1: 71\n"
        "signal> ^C\n"
        "tty_termios: 22 checks, 0 failed\n"), text
    assert status == 0, text
