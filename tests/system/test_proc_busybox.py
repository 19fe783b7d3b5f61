"""Debian's busybox reading /proc on our kernel and on Linux 6.1 (issue 11 §4): `cat` of
/proc/meminfo, /proc/self/maps, status, stat, /proc/cpuinfo, `free`, `ps` and `top -n1 -b` run in
one --root tree on both (tools/run-linux --proc --root); the structure must be Linux's — the same
lines and fields in the same order, the same headers, the same maps line format — while the
numbers differ. busybox is fetched as in test_busybox_signals.py (skipped when it cannot be)."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT
from test_busybox_signals import busybox  # noqa: F401  (the fixture)

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
RUN_LINUX = os.path.join(ROOT, "tools", "run-linux")

SECTIONS = ["meminfo", "maps", "status", "stat", "cpuinfo", "free", "ps", "top"]
SCRIPT = "; ".join([
    "echo '=== meminfo'; cat /proc/meminfo",
    "echo '=== maps'; cat /proc/self/maps",
    "echo '=== status'; cat /proc/self/status",
    "echo '=== stat'; cat /proc/self/stat",
    "echo '=== cpuinfo'; cat /proc/cpuinfo",
    "echo '=== free'; free",
    "echo '=== ps'; /bin/ps",
    "echo '=== top'; /bin/top -n1 -b",
])
# Linux maps lines: range, perms, offset, major:minor, inode, then the name at column 73.
MAPS_LINE = re.compile(r"^[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-][ps] [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} \d+ ")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, busybox):  # noqa: F811
    root = tmp_path_factory.mktemp("procroot")
    (root / "bin").mkdir()
    shutil.copy(busybox, root / "bin" / "busybox")
    os.chmod(root / "bin" / "busybox", 0o755)
    for applet in ["sh", "cat", "free", "ps", "top"]:
        os.symlink("busybox", root / "bin" / applet)
    command = ["--root", str(root), "/bin/sh", "-c", "PATH=/bin; " + SCRIPT]
    ours = subprocess.run([RUN_ELF, *command], cwd=ROOT, env=dict(os.environ, RUN_ELF_KERNEL=IMAGE),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=200)
    linux = subprocess.run([RUN_LINUX, "--proc", *command], cwd=ROOT, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=200)
    if linux.returncode == 125:
        pytest.skip("tools/run-linux could not run Linux: " + linux.stderr.decode()[-300:])
    assert ours.returncode == 0, ours.stdout.decode() + ours.stderr.decode()
    assert linux.returncode == 0, linux.stdout.decode()
    return split(ours.stdout.decode()), split(linux.stdout.decode())


def split(text):
    sections, current = {}, None
    for line in text.splitlines():
        if line.startswith("=== "):
            current = line[4:]
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    assert sorted(sections) == sorted(SECTIONS), text
    return sections


def labels(lines, separator=":"):
    return [line.split(separator)[0] for line in lines if line.strip()]


def test_meminfo_has_linuxs_lines_in_order(outputs):
    ours, linux = outputs
    assert labels(ours["meminfo"]) == labels(linux["meminfo"])
    layout = re.compile(r"^\S+:\s+\d+( kB)?$")
    assert all(layout.match(line) for line in ours["meminfo"]), ours["meminfo"]
    for ours_line, linux_line in zip(ours["meminfo"], linux["meminfo"]):
        # The value ends in the same column (label padded to 16, value right-aligned in 8).
        if len(linux_line) == len("MemTotal:         996752 kB"):
            assert len(ours_line) == len(linux_line), (ours_line, linux_line)


def test_status_has_linuxs_fields_in_order(outputs):
    ours, linux = outputs
    assert labels(ours["status"]) == labels(linux["status"])
    assert ours["status"][0] == linux["status"][0] == "Name:\tcat"


def test_stat_has_52_fields(outputs):
    ours, linux = outputs
    for lines in (ours["stat"], linux["stat"]):
        assert len(lines) == 1
        assert re.match(r"^\d+ \(cat\) R \d+ ", lines[0]), lines
        assert len(lines[0].split(" ")) == 52, lines


def test_maps_lines_have_linuxs_format(outputs):
    ours, linux = outputs
    for lines in (ours["maps"], linux["maps"]):
        for line in lines:
            assert MAPS_LINE.match(line), line
            prefix = MAPS_LINE.match(line).group(0)
            if len(line) > len(prefix):
                assert len(line) > 73 and line[73] != " " and line[:73].endswith(" "), line
    names = lambda lines: [line[73:] for line in lines if len(line) > 73]
    # Linux also maps [vvar] and [vdso]; this kernel has no vDSO.
    assert [n for n in names(ours["maps"])] == [
        n for n in names(linux["maps"]) if n not in ("[vvar]", "[vdso]")]
    assert "/bin/busybox" in names(ours["maps"]) and "[stack]" in names(ours["maps"])


def test_cpuinfo_has_linuxs_keys(outputs):
    ours, linux = outputs
    assert labels(ours["cpuinfo"]) == labels(linux["cpuinfo"])
    assert ours["cpuinfo"][1] == linux["cpuinfo"][1]  # vendor_id
    assert ours["cpuinfo"][4] == linux["cpuinfo"][4]  # model name


def test_free_ps_top_print_linuxs_layout(outputs):
    ours, linux = outputs
    assert ours["free"][0] == linux["free"][0]
    assert labels(ours["free"]) == labels(linux["free"]) == ["              total        used        free      shared  buff/cache   available", "Mem", "Swap"]
    assert ours["ps"][0] == linux["ps"][0] == "PID   USER     COMMAND"
    assert any(line.endswith(" /bin/ps") for line in ours["ps"]), ours["ps"]
    top_heads = lambda lines: [line.split(":")[0] for line in lines[:3]]
    assert top_heads(ours["top"]) == top_heads(linux["top"]) == ["Mem", "CPU", "Load average"]
    assert ours["top"][3] == linux["top"][3]
    assert any(line.endswith(" /bin/top -n1 -b") for line in ours["top"]), ours["top"]
