"""Linux 6.1's own selftests on our kernel (issue 10 §3): the self-contained futex/functional
tests, sigaltstack/sas and the x86 signal tests that apply, built static from Debian's
linux-source-6.1 by tools/build-selftests (tools/linux_selftests.py says what and why), run in
one boot by selftest-batch. Each case's verdict must be Linux's — recorded once from
tools/run-linux in selftest_linux_verdicts.txt (`tools/selftest-table --record-linux 3`; a
verdict that varied between Linux boots is `A|B`) — or the case is listed in
selftest_differences.txt with the reason it differs; a listed case that has come to match fails
too, so the list stays true. SELFTEST_COMPARE_LINUX=1 also boots Linux and checks the recording
against a live run. `tools/selftest-table` prints the table. Skipped when the package cannot be
fetched (no apt-get or no package source)."""

import os
import sys

import pytest

from conftest import IMAGE, ROOT

sys.path.insert(0, os.path.join(ROOT, "tools"))
import linux_selftests as suite  # noqa: E402


@pytest.fixture(scope="module")
def tree():
    try:
        return suite.build()
    except suite.Unavailable as reason:
        pytest.skip(str(reason))


@pytest.fixture(scope="module")
def our_run(tree):
    batch, status, output, errors = suite.run_batch("ours", our_image=IMAGE)
    return batch, status, output, errors


def table(rows, keys):
    shown = [r for r in rows if r[0] in keys]
    return "\n".join(f"{key}: Linux {linux}, ours {ours} {description}"
                     for key, linux, ours, description, _ in shown)


def test_the_batch_runs_every_program_to_its_end(our_run):
    batch, status, output, errors = our_run
    assert status == 0 and "@@SELFTEST-DONE@@" in output, errors[-3000:]
    assert [key for key, _, _ in suite.RUNS if key not in batch] == []


def test_every_case_has_linux_verdict_or_a_listed_reason(our_run):
    ours = suite.suite_verdicts(our_run[0])
    rows, unlisted, _ = suite.comparison(suite.read_linux_verdicts(), ours,
                                         suite.read_table(suite.DIFFERENCES))
    assert unlisted == [], "differences from Linux not in selftest_differences.txt:\n" + \
        table(rows, set(unlisted))


def test_every_listed_difference_still_differs(our_run):
    ours = suite.suite_verdicts(our_run[0])
    _, _, stale = suite.comparison(suite.read_linux_verdicts(), ours,
                                   suite.read_table(suite.DIFFERENCES))
    assert stale == [], "now as Linux: remove from selftest_differences.txt: " + ", ".join(stale)


def test_the_linux_recording_covers_every_run():
    recorded = suite.read_linux_verdicts()
    assert [key for key, _, _ in suite.RUNS if f"{key}/exit" not in recorded] == []


@pytest.mark.skipif(os.environ.get("SELFTEST_COMPARE_LINUX") != "1",
                    reason="boots Linux 6.1 (~35 s): SELFTEST_COMPARE_LINUX=1 to run")
def test_linux_still_gives_the_recorded_verdicts(tree):
    batch, status, output, errors = suite.run_batch("linux")
    assert status == 0 and "@@SELFTEST-DONE@@" in output, errors[-3000:]
    rows, unlisted, _ = suite.comparison(suite.read_linux_verdicts(),
                                         suite.suite_verdicts(batch), {})
    assert unlisted == [], table(rows, set(unlisted))


# ---------------------------------------------------------------- the parsers (no QEMU)

def test_tap_cases_are_keyed_by_number_and_unreported_ones_are_not_run():
    text = ("TAP version 13\n1..4\nok 1 first succeeds\nnot ok 2 second returned: 38\n"
            "ok 3 # SKIP no frobs\n")
    assert suite.verdicts(text, "1") == {
        "1": ("PASS", "first succeeds"), "2": ("FAIL", "second returned: 38"),
        "3": ("SKIP", "no frobs"), "4": ("not run", "announced by the plan, never reported"),
        "exit": ("status 1", "")}


def test_x86_cases_follow_run_lines_and_selectors_are_the_kernels():
    text = ("[RUN]\tValid sigreturn: 64-bit CS (33), 32-bit SS (2b, GDT)\n[NOTE]\tx\n"
            "[OK]\tall registers okay\n[SKIP]\tCode segment unavailable\n"
            "[RUN]\tagain\n[RUN]\tagain\n[FAIL]\tno\n")
    assert suite.verdicts(text, "137") == {
        "Valid sigreturn: 64-bit CS (#), 32-bit SS (#, GDT)": ("PASS", "all registers okay"),
        "Code segment unavailable": ("SKIP", ""),
        "again": ("no verdict", ""), "again #2": ("FAIL", "no"), "exit": ("status 137", "")}


def test_a_batch_cut_short_names_the_unfinished_program():
    runs = [("a", "a", []), ("b", "b", []), ("c", "c", [])]
    output = ("\n@@SELFTEST-BEGIN 0@@\nok\n\n@@SELFTEST-END 0 0@@\n"
              "\n@@SELFTEST-BEGIN 1@@\npartial")
    assert suite.split_batch(output, runs) == {"a": ("ok\n", "0"), "b": ("partial", "batch ended")}
