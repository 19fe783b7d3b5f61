"""rt_sigreturn honours the frame's CS and SS as Linux 6.1 does (tests/programs/
sigreturn_selectors.c, musl): RPL forced to 3, SS made valid for a 64-bit return without
UC_STRICT_RESTORE_SS, and a selector the IRET back to user mode refuses (a code segment as SS,
an LDT selector with no LDT, a null SS in 64-bit mode, a data, kernel or null CS) is the
process's #GP: SIGSEGV (SI_KERNEL, trapno 13, the selector as error code) with the bad selectors
in the handler's frame — or, with no handler, death by SIGSEGV. A 32-bit CS (__USER32_CS,
0x23) runs compatibility-mode code; its int3's frame has no UC_STRICT_RESTORE_SS.

Before the fix our kernel forced CS 0x23 (its only code segment) and SS 0x1b on every
rt_sigreturn: every bad-selector case returned normally, the 32-bit case ran 64-bit code, and
`kill` survived (status 1)."""

from test_programs import assert_lines, assert_no_fail, assert_status, binary


def test_frame_selectors_are_restored_and_refused_ones_fault(runner):
    result = runner.run(binary("musl", "sigreturn_selectors"), [])
    assert_no_fail(result)
    assert_lines(result, [
        r"sigreturn_selectors: 64-bit frame: CS 0x33 SS 0x2b, uc_flags SIGCONTEXT_SS\|STRICT_RESTORE_SS",
        r"sigreturn_selectors: SS = 64-bit code: SIGSEGV, #GP, frame CS 0x33 SS 0x33",
        r"sigreturn_selectors: SS = LDT index 8: SIGSEGV, #GP, frame CS 0x33 SS 0x47",
        r"sigreturn_selectors: CS = null: SIGSEGV, #GP, frame CS 0x3 SS 0x2b",
        r"sigreturn_selectors: SS = null without UC_STRICT_RESTORE_SS: returned, SS 0x2b",
        r"sigreturn_selectors: CS 0x23: int3 in 32-bit code, SIGTRAP, uc_flags SIGCONTEXT_SS",
        r"sigreturn_selectors: all \d+ checks passed"])
    assert_status(result, 0)


def test_a_refused_selector_without_a_handler_kills_with_sigsegv(runner):
    result = runner.run(binary("musl", "sigreturn_selectors"), ["kill"])
    assert_no_fail(result)
    assert_status(result, 139)
