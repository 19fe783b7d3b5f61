"""pytest wiring for the user-space programs: every test that takes a `runner` argument runs once
per selected runner (see runners.py), and the session ends with one line saying which ran."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runners  # noqa: E402

try:
    SELECTED = runners.selected_runners()
    SELECTION_ERROR = None
except RuntimeError as error:
    SELECTED = []
    SELECTION_ERROR = str(error)


def pytest_configure(config):
    if SELECTION_ERROR:
        raise pytest.UsageError(SELECTION_ERROR)


def pytest_generate_tests(metafunc):
    if "runner" in metafunc.fixturenames:
        metafunc.parametrize("runner", SELECTED, ids=[r.name for r in SELECTED])


def pytest_terminal_summary(terminalreporter):
    names = ", ".join(r.name for r in SELECTED)
    note = "" if any(r.name == "kernel" for r in SELECTED) else (
        " (kernel runner off: tools/run-elf is not there yet)"
        if not runners.run_elf_available() else " (kernel runner not selected)")
    terminalreporter.write_line(f"userspace runners: {names}{note}")
