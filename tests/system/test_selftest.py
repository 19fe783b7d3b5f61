"""In-kernel self-tests of the core library on the real (emulated) MMU."""

import re

from conftest import EXIT_SUCCESS, boot


def test_selftests_pass_on_the_real_mmu():
    run = boot("test=selftest")
    match = re.search(r"SELFTEST RESULT: (\d+) passed, (\d+) failed", run.output)
    assert match, run
    passed, failed = int(match.group(1)), int(match.group(2))
    assert failed == 0, run
    assert passed >= 10, run
    assert run.status == EXIT_SUCCESS, run
    for name in ["map-access-unmap-faults", "huge-page-2m", "protect-after-invalidation",
                 "kernel-text-read-only", "identity-map-removed", "stack-guard-unmapped",
                 "demand-paging-through-core-policy", "no-execute-enforced",
                 "smep-blocks-user-code"]:
        assert f"SELFTEST {name}: PASS" in run.output, run


def test_selftests_pass_on_a_cpu_without_smep_and_smap():
    run = boot("test=selftest", extra=["-cpu", "qemu64"])
    assert "SMEP=off(not supported) SMAP=off(not supported)" in run.output, run
    assert "SELFTEST RESULT: " in run.output and " 0 failed" in run.output, run
    assert run.status == EXIT_SUCCESS, run
