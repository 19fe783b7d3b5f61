"""The build checks catch what they claim to: SSE/x87 instructions and red-zone accesses."""

import os
import shutil
import subprocess

from conftest import ROOT

TOOLS = os.path.dirname(shutil.which("swiftc"))
CHECK = os.path.join(ROOT, "tools", "check-kernel-instructions")
OBJDUMP = os.path.join(TOOLS, "llvm-objdump")


def compile_object(tmp_path, source, *flags):
    c_file = tmp_path / "probe.c"
    c_file.write_text(source)
    obj = tmp_path / "probe.o"
    subprocess.run([os.path.join(TOOLS, "clang"), "--target=x86_64-unknown-none-elf", "-O2",
                    "-ffreestanding", "-c", str(c_file), "-o", str(obj), *flags], check=True)
    return obj


def check(obj):
    return subprocess.run([CHECK, OBJDUMP, str(obj)], capture_output=True, text=True)


def test_sse_is_rejected(tmp_path):
    obj = compile_object(tmp_path, "double scale(double x) { return x * 3.5; }", "-msse2")
    result = check(obj)
    assert result.returncode != 0 and "SSE/MMX/x87" in result.stderr, result


def test_x87_is_rejected(tmp_path):
    obj = compile_object(tmp_path, "long double scale(long double x) { return x * 3; }")
    result = check(obj)
    assert result.returncode != 0 and "SSE/MMX/x87" in result.stderr, result


def test_red_zone_is_rejected(tmp_path):
    source = "int leaf(int a) { volatile int b[8]; b[a & 7] = a; return b[(a + 1) & 7]; }"
    obj = compile_object(tmp_path, source, "-mno-sse", "-mred-zone", "-fomit-frame-pointer")
    result = check(obj)
    assert result.returncode != 0 and "red zone" in result.stderr, result


def test_kernel_style_code_passes(tmp_path):
    source = "int leaf(int a) { volatile int b[8]; b[a & 7] = a; return b[(a + 1) & 7]; }"
    obj = compile_object(tmp_path, source, "-mno-sse", "-mno-red-zone", "-mno-80387",
                         "-fomit-frame-pointer")
    result = check(obj)
    assert result.returncode == 0, result
