"""The user-space programs of tests/programs, run by every selected runner.

Each expectation here is Linux's behaviour: the native runner proves it on this host. A program
built two ways (musl and raw system calls) is tested in both builds; the expected status and key
lines are the same. Build the programs first: `make userspace-programs` (or `make userspace-test`).
"""

import os
import re

import pytest

from runners import PROGRAMS, status_name

SIGSEGV_STATUS = 139  # 128 + SIGSEGV: a shell's status for it, and tools/run-elf's for a memory kill


def binary(variant, name):
    path = os.path.join(PROGRAMS, variant, name)
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: run `make userspace-programs` first")
    return path


def assert_status(result, want):
    assert result.status == want, (
        f"status {status_name(result.status)}, want {status_name(want)}\n{result!r}")


def assert_lines(result, patterns):
    for pattern in patterns:
        assert any(re.fullmatch(pattern, line.rstrip()) for line in result.lines), (
            f"no line matches {pattern!r}\n{result!r}")


def assert_no_fail(result):
    fails = [line for line in result.lines if line.startswith("FAIL")]
    assert not fails, "\n".join(fails) + f"\n{result!r}"


# ---- self-checking programs: status 0, `<name>: all N checks passed`, no FAIL lines ----

SELF_CHECKING = {
    "demand_paging": ([], [
        r"demand_paging: mapping 64 MiB \(16384 pages\)",
        r"demand_paging: pages touched: 16384",
        r"demand_paging: ru_minflt before \d+, after \d+, delta \d+",
    ]),
    "brk_heap": ([], [r"brk_heap: initial break 0x[0-9a-f]+"]),
    "mprotect_transitions": ([], []),
    "munmap_partial": ([], []),
    "map_fixed": ([], []),
    "madvise_dontneed": ([], []),
    "errno_contract": ([], []),
    "syscall_bad_pointers": ([], [r"syscall_bad_pointers: unaligned buffer ok"]),
}


@pytest.mark.parametrize("variant", ["musl", "raw"])
@pytest.mark.parametrize("name", sorted(SELF_CHECKING))
def test_self_checking(runner, variant, name):
    args, lines = SELF_CHECKING[name]
    args = list(args)
    if name == "errno_contract" and runner.overcommit_always:
        args.append("overcommit-always")
    if name == "syscall_bad_pointers":
        args += [hex(address) for _, address in runner.kernel_targets()]
    result = runner.run(binary(variant, name), args)
    assert_no_fail(result)
    assert_lines(result, lines + [rf"{name}: all \d+ checks passed"])
    assert_status(result, 0)


def test_demand_paging_counts_a_fault_per_page(runner):
    result = runner.run(binary("raw", "demand_paging"), ["16"])
    assert_status(result, 0)
    line = next(l for l in result.lines if "ru_minflt" in l)
    delta = int(line.rsplit("delta ", 1)[1])
    assert delta >= 4096, line


# ---- hostile programs: killed by SIGSEGV right after announcing the bad access ----

HOSTILE = {
    "hostile_null_deref": r"hostile_null_deref: reading 0x0",
    "hostile_kernel_read": r"hostile_kernel_read: reading 0xffffffff80000000",
    "hostile_kernel_write": r"hostile_kernel_write: writing 0xffff888000000000",
    "hostile_kernel_exec": r"hostile_kernel_exec: calling 0xffff888000000000",
    "hostile_jump_kernel": r"hostile_jump_kernel: jumping to 0xffffffff81000000",
    "hostile_noncanonical": r"hostile_noncanonical: reading 0xdead000000000000",
    "hostile_noncanonical_jump": r"hostile_noncanonical_jump: jumping to 0x800000000000",
    "hostile_exec_heap": r"hostile_exec_heap: calling heap page 0x[0-9a-f]+",
    "hostile_exec_mmap": r"hostile_exec_mmap: calling RW page 0x[0-9a-f]+",
    "hostile_exec_stack": r"hostile_exec_stack: calling stack buffer 0x[0-9a-f]+",
    "hostile_write_text": r"hostile_write_text: writing main at 0x[0-9a-f]+",
    "hostile_write_readonly": r"hostile_write_readonly: writing read-only page 0x[0-9a-f]+",
    "hostile_read_protnone": r"hostile_read_protnone: reading PROT_NONE page 0x[0-9a-f]+",
    "hostile_munmap_hole": r"hostile_munmap_hole: neighbours writable, reading the hole 0x[0-9a-f]+",
    "hostile_stack_overflow": r"hostile_stack_overflow: recursing",
}


@pytest.mark.parametrize("variant", ["musl", "raw"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_is_killed_by_sigsegv(runner, variant, name):
    result = runner.run(binary(variant, name))
    assert_lines(result, [HOSTILE[name]])
    assert not any("survived" in line for line in result.lines), result
    assert_status(result, SIGSEGV_STATUS)


def test_hostile_address_argument(runner):
    # The address comes from argv, so a kernel runner can aim at where its kernel really is.
    result = runner.run(binary("raw", "hostile_kernel_read"), ["0xffffffffff000000"])
    assert_lines(result, [r"hostile_kernel_read: reading 0xffffffffff000000"])
    assert_status(result, SIGSEGV_STATUS)


@pytest.mark.parametrize("name", ["hostile_kernel_read", "hostile_kernel_write", "hostile_kernel_exec"])
def test_hostile_at_the_kernel_targets(runner, name):
    # Aimed at where this system's kernel really is (runner.kernel_targets()).
    targets = runner.kernel_targets()
    if not targets:
        pytest.skip(f"the {runner.name} runner names no kernel targets")
    verb = {"hostile_kernel_read": "reading", "hostile_kernel_write": "writing",
            "hostile_kernel_exec": "calling"}[name]
    for label, address in targets:
        result = runner.run(binary("raw", name), [hex(address)])
        assert_lines(result, [rf"{name}: {verb} {address:#x}"])
        assert result.status == SIGSEGV_STATUS, (
            f"{label} {address:#x}: status {status_name(result.status)}\n{result!r}")


# ---- the secret pair: one program's memory never reaches the next ----

@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_secret_never_reaches_the_next_program(runner, variant):
    planted, checked = runner.run_sequence([
        (binary(variant, "secret_write"), []),
        (binary(variant, "secret_check"), []),
    ])
    assert_no_fail(planted)
    assert_lines(planted, [r"secret_write: planted 36 MiB of secret, exiting without cleaning up"])
    assert_status(planted, 0)
    assert_no_fail(checked)
    assert_lines(checked, [
        r"secret_check: fresh mmap: 64 MiB, 0 secret copies, 0 non-zero bytes",
        r"secret_check: all \d+ checks passed",
    ])
    assert_status(checked, 0)


# ---- libc programs ----

def test_malloc_stress(runner):
    result = runner.run(binary("musl", "malloc_stress"))
    assert_no_fail(result)
    assert_lines(result, [r"malloc_stress: \d+ mallocs, \d+ reallocs, \d+ frees",
                          r"malloc_stress: all checks passed"])
    assert_status(result, 0)


@pytest.mark.parametrize("libc,name", [("musl", "hello"), ("glibc", "hello"), ("glibc", "hello_pie")])
def test_hello(runner, libc, name):
    result = runner.run(binary(libc, name), ["alpha", "beta"])
    assert_no_fail(result)
    assert_lines(result, [rf"hello from {libc}", r"argv\[1\] = alpha", r"argv\[2\] = beta",
                          r"heap works"])
    assert_status(result, 0)
