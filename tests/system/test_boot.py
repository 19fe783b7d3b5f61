"""`make run`'s default boot: summary, demonstration on the real MMU, clean exit."""

from conftest import EXIT_SUCCESS, boot


def test_default_boot_shows_summary_and_demo_and_exits_cleanly():
    run = boot()
    assert run.status == EXIT_SUCCESS, run
    out = run.output
    assert "KERNEL PANIC" not in out, run
    assert "Physical memory map (multiboot):" in out
    assert "usable" in out and "reserved" in out
    assert "Reserved in the frame bitmap:" in out and "kernel image" in out
    assert "low 1 MiB" in out and "frame bitmap storage" in out
    assert "Memory: total" in out and "free" in out
    assert "Kernel image:" in out and "stack guard page" in out
    assert "Protection: NXE=on WP=on" in out
    assert "boot identity map removed" in out
    # The demonstration: write through, translate back, fault after unmap, figures.
    assert ": match" in out
    assert "after unmap faults as it must" in out
    assert "fault resolved by the core" in out and "EFAULT" in out
    assert "FAILED" not in out
    assert "Figures (mean TSC cycles" in out
    assert "Shutting down cleanly" in out
    print(f"boot + demo wall time: {run.seconds:.2f} s")


def test_unknown_mode_panics():
    run = boot("test=no-such-mode")
    assert run.status == 35, run
    assert "KERNEL PANIC: unknown mode test=no-such-mode" in run.output


def test_multiboot_modules_and_command_line_are_read_and_reserved(tmp_path):
    module = tmp_path / "module.bin"
    module.write_bytes(b"x" * 10000)
    run = boot("test=demo extra=1", extra=["-initrd", f"{module} first-argument"])
    assert run.status == EXIT_SUCCESS, run
    assert 'command line: "' in run.output and "test=demo extra=1" in run.output
    assert f"module {module} first-argument" in run.output, run
