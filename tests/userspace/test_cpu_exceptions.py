"""CPU exceptions and traps from ring 3 reach the signal Linux sends (issue 8, items 2 and 5).

Every expectation is Linux's: the native runner proves it on this host's CPU. Where QEMU TCG
(the machine of the kernel and linux runners) behaves unlike a real CPU, the test says so and
expects what Linux 6.1 does on that same machine (`tools/run-linux`), measured:

* QEMU TCG pops a ring-3 `lretq`/`iretq` frame with supervisor-mode accesses, which SMAP
  refuses on the user stack. Linux 6.1 takes that fault for a kernel bug ("BUG: unable to handle
  page fault ... #PF: supervisor read access in user mode", an oops) and kills the program with
  SIGKILL (137); our kernel kills it with the SIGSEGV a real CPU's #GP gives (139). Before the
  fix our kernel retried the fault forever (run-elf timeout, 124).
* QEMU TCG never raises #XM for an unmasked SSE exception: the program goes on, on Linux too.
* QEMU TCG raises #GP, not #SS, for a push at a non-canonical RSP: SIGSEGV instead of SIGBUS.
"""

import pytest

from test_programs import assert_lines, assert_status, binary

SIGTRAP_STATUS = 128 + 5
SIGBUS_STATUS = 128 + 7
SIGFPE_STATUS = 128 + 8
SIGKILL_STATUS = 128 + 9
SIGSEGV_STATUS = 128 + 11

TCG_RUNNERS = ("kernel", "linux")  # both boot under QEMU TCG

# Selectors that are no ring-3 code segment on Linux (0x33 is its 64-bit user code) nor on our
# kernel (0x23): a data segment with RPL 3 (0x1b), ring-0 segments with RPL 3 (0x0b, 0x13), null.
BAD_SELECTORS = ["0x1b", "0x0b", "0x13", "0x0"]


@pytest.mark.parametrize("variant", ["musl", "raw"])
@pytest.mark.parametrize("name", ["hostile_far_return", "hostile_interrupt_return"])
@pytest.mark.parametrize("selector", BAD_SELECTORS)
def test_return_to_a_bad_selector_is_killed(runner, variant, name, selector):
    result = runner.run(binary(variant, name), [selector], timeout=60)
    instruction = "lretq" if name == "hostile_far_return" else "iretq"
    assert_lines(result, [rf"{name}: {instruction} to selector {int(selector, 16):#x}"])
    assert not any("survived" in line for line in result.lines), result
    assert_status(result, SIGKILL_STATUS if runner.name == "linux" else SIGSEGV_STATUS)


# mode → (status on a real CPU, status under QEMU TCG, or None to skip there)
EXCEPTIONS = {
    "int3": (SIGTRAP_STATUS, SIGTRAP_STATUS),
    "int-3": (SIGTRAP_STATUS, SIGTRAP_STATUS),
    "int-4": (SIGSEGV_STATUS, SIGSEGV_STATUS),  # Linux: do_error_trap("overflow", SIGSEGV)
    "x87-divide": (SIGFPE_STATUS, SIGFPE_STATUS),
    "sse-divide": (SIGFPE_STATUS, None),
    "stack-noncanonical": (SIGBUS_STATUS, SIGSEGV_STATUS),
}


@pytest.mark.parametrize("variant", ["musl", "raw"])
@pytest.mark.parametrize("mode", sorted(EXCEPTIONS))
def test_exception_gives_linuxs_signal(runner, variant, mode):
    real, tcg = EXCEPTIONS[mode]
    want = tcg if runner.name in TCG_RUNNERS else real
    if want is None:
        pytest.skip(f"QEMU TCG does not raise this exception ({mode}): nothing to compare")
    result = runner.run(binary(variant, "cpu_exception"), [mode], timeout=60)
    assert_lines(result, [rf"cpu_exception: {mode}"])
    assert not any(line.startswith("FAIL") for line in result.lines), result
    assert_status(result, want)
