"""Deliberate kernel faults: each must end in its panic report and QEMU exit status 35."""

from conftest import EXIT_PANIC, boot


def test_kernel_page_fault_panics_with_full_report():
    run = boot("test=kernel-page-fault")
    out = run.output
    assert run.status == EXIT_PANIC, run
    assert "KERNEL PANIC: kernel page fault at 0xffffa000deadb000" in out, run
    assert "fault address (CR2): 0xffffa000deadb000" in out
    assert "error code: 0x2 = P=0 W/R=1 U/S=0 RSVD=0 I/D=0" in out
    assert "not present, write, supervisor mode" in out
    # RIP with its symbol from the embedded table.
    assert "faulting instruction: RIP 0x" in out
    assert "<FaultProvocation" in out or "<KernelMode" in out
    for register in ["RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP", "R8 ", "R15", "CR3"]:
        assert register in out, register
    assert "(kernel stack)" in out
    assert "backtrace (frame pointers" in out and "<kernelMain" in out
    assert "page-table walk of 0xffffa000deadb000" in out
    assert "PML4[320]" in out
    assert "not present at" in out
    assert "KERNEL PANIC END" in out


def test_write_to_kernel_text_is_a_protection_violation():
    run = boot("test=kernel-text-write")
    assert run.status == EXIT_PANIC, run
    assert "KERNEL PANIC: kernel page fault" in run.output
    assert "P=1 W/R=1 U/S=0" in run.output, run
    assert "-> 4 KiB page at" in run.output


def test_general_protection_fault_reports_clearly():
    run = boot("test=general-protection")
    assert run.status == EXIT_PANIC, run
    assert "KERNEL PANIC: unhandled CPU exception #GP general protection (vector 13)" in run.output, run
    assert "RIP 0x" in run.output and "CR2" in run.output


def test_stack_overflow_is_caught_by_guard_page_and_double_fault_handler():
    run = boot("test=stack-overflow")
    out = run.output
    assert run.status == EXIT_PANIC, run
    assert "KERNEL PANIC: kernel stack overflow: double fault after touching the stack guard page" in out, run
    assert "IST1 double-fault stack" in out
    assert "handler stack: 0x" in out and "(IST1, the double-fault stack)" in out
    assert "<stack_overflow_provoke" in out
    assert "... the same frame" in out and "<kernel_virtual_entry" in out
    assert "not present at PT" in out


def test_kernel_heap_exhaustion_panics():
    run = boot("test=heap-exhaustion", timeout=60)
    assert run.status == EXIT_PANIC, run
    assert "MiB allocated" in run.output
    assert "KERNEL PANIC: kernel heap: out of physical memory" in run.output, run
