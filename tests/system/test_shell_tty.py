"""`make shell` through a real terminal (issue 11 §4): tmux runs it in a detached session, as a
person would at a terminal; keys go in with `send-keys`, the screen comes back with
`capture-pane`. Busybox `sh` on the kernel's console terminal must run a command, take a line
edited with erase, survive ^C interrupting `sleep 100` (its prompt comes back and it runs the
next command), and give `ls` and `ps` the terminal they format for; `exit` ends the run cleanly.
Every wait has a deadline and the session is killed at the end."""

import os
import shutil
import subprocess
import time

import pytest

from conftest import ROOT

SESSION = "swift-kernel-shell-test-%d" % os.getpid()
PROMPT = "/ # "
START_WAIT = 600  # make may build the demo programs and fetch busybox first
STEP_WAIT = 60


def tmux(*words):
    return subprocess.run(["tmux", *words], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=30, check=False).stdout.decode("utf-8", "replace")


def screen():
    return tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", SESSION)


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = screen()
        if predicate(text):
            return text
        time.sleep(0.5)
    pytest.fail("timed out; the terminal shows:\n" + screen())


def prompts(text):
    return sum(1 for line in text.splitlines() if line.startswith(PROMPT.rstrip()))


def run_line(keys, expect, seconds=STEP_WAIT):
    """Types `keys` (tmux key names), then waits for a new prompt after output meeting `expect`."""
    before = prompts(screen())
    tmux("send-keys", "-t", SESSION, *keys)
    return wait_for(lambda text: prompts(text) > before and expect(text), seconds)


@pytest.fixture
def shell():
    if not shutil.which("tmux"):
        pytest.skip("tmux is not installed")
    tmux("kill-session", "-t", SESSION)
    command = "cd %s && make -s shell; echo MAKE-SHELL-STATUS=$?; sleep 600" % ROOT
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "50", command)
    try:
        wait_for(lambda text: PROMPT.rstrip() in text and "Enter 'help'" in text, START_WAIT)
        yield
    finally:
        tmux("kill-session", "-t", SESSION)


def test_make_shell_runs_commands_edits_lines_and_survives_interrupt(shell):
    text = run_line(["echo hxllo", "BSpace", "BSpace", "BSpace", "BSpace", "ello tty", "Enter"],
                    lambda text: "\nhello tty\n" in text)
    assert PROMPT + "echo hello tty" in text

    tmux("send-keys", "-t", SESSION, "sleep 100", "Enter")
    wait_for(lambda text: text.rstrip().endswith(PROMPT + "sleep 100"), STEP_WAIT)
    time.sleep(2)  # sleep is in its nanosleep now
    started = time.monotonic()
    text = run_line(["C-c"], lambda text: "^C" in text, seconds=30)
    assert time.monotonic() - started < 30
    run_line(["echo survived", "Enter"], lambda text: "\nsurvived\n" in text)

    # On a terminal busybox ls lays names out in columns: bin and tmp on one line.
    text = run_line(["ls /", "Enter"], lambda text: PROMPT + "ls /" in text)
    listing = text.split(PROMPT + "ls /", 1)[1].splitlines()[1]
    assert "bin" in listing and "tmp" in listing, text
    text = run_line(["ps", "Enter"], lambda text: "PID   USER     COMMAND" in text)
    assert "/bin/sh" in text.split(PROMPT + "ps", 1)[1]

    tmux("send-keys", "-t", SESSION, "exit", "Enter")
    wait_for(lambda text: "MAKE-SHELL-STATUS=0" in text, STEP_WAIT)
