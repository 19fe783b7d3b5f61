"""A bad rt_sigreturn frame is a forced SIGSEGV (tests/programs/signal_badreturn.c, musl):
Linux 6.1's signal_fault → force_sig(SIGSEGV) (SI_KERNEL, si_addr 0), or for a non-canonical
RIP the IRET's #GP with the registers already restored (the handler's context has that RIP).
A handler installed and not blocked runs; blocked, the process is killed (139).

Before the fix our kernel killed outright (139) even with a SIGSEGV handler. Under
tools/run-linux (QEMU TCG) Linux 6.1 gives the same answers for `rip` and `blocked`; TCG's
XRSTOR does not fault on reserved MXCSR bits, so `mxcsr` is proven by the native runner (a real
CPU's FXRSTOR/XRSTOR raises #GP)."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary


@pytest.mark.parametrize("mode", ["rip", "mxcsr"])
def test_bad_frame_runs_the_sigsegv_handler(runner, mode):
    result = runner.run(binary("musl", "signal_badreturn"), [mode])
    assert_no_fail(result)
    assert_lines(result, [r"signal_badreturn: all \d+ checks passed"])
    assert_status(result, 0)


def test_bad_frame_with_sigsegv_blocked_kills(runner):
    result = runner.run(binary("musl", "signal_badreturn"), ["blocked"])
    assert_no_fail(result)
    assert_status(result, 139)
