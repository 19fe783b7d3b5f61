"""QEMU's own view of the MMU, read through QMP, held against the kernel's page tables."""

import json
import os
import re
import select
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import IMAGE, ROOT

READY = "QMP-IDLE: ready"
TIMEOUT = 40


class Monitor:
    """A minimal QMP client: one JSON command per line, answers matched by 'return'/'error'."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.file = self.sock.makefile("rw")
        json.loads(self.file.readline())  # greeting
        self.execute("qmp_capabilities")

    def execute(self, command, **arguments):
        message = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        self.file.write(json.dumps(message) + "\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise AssertionError(f"QMP {command}: {reply['error']}")

    def hmp(self, line):
        return self.execute("human-monitor-command", **{"command-line": line})

    def close(self):
        self.sock.close()


@pytest.fixture(scope="module")
def idle_kernel():
    """Boots test=qmp-idle, waits for the marker, stops the CPU; yields (serial text, monitor)."""
    if not os.path.exists(IMAGE):
        pytest.fail(f"{IMAGE} is missing: run `make kernel` first")
    directory = tempfile.mkdtemp(prefix="qmp-")
    path = os.path.join(directory, "qmp.sock")
    process = subprocess.Popen(
        [os.path.join(ROOT, "tools", "qemu-run"), "--timeout", str(TIMEOUT), "--image", IMAGE, "--",
         "-append", "test=qmp-idle", "-qmp", f"unix:{path},server=on,wait=off"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    serial = b""
    deadline = time.monotonic() + TIMEOUT
    try:
        while READY.encode() not in serial:
            remaining = deadline - time.monotonic()
            assert remaining > 0, serial.decode("utf-8", "replace")
            ready, _, _ = select.select([process.stdout], [], [], remaining)
            chunk = os.read(process.stdout.fileno(), 65536) if ready else b""
            assert chunk or process.poll() is None, serial.decode("utf-8", "replace")
            serial += chunk
        monitor = Monitor(path)
        monitor.execute("stop")
        yield serial.decode("utf-8", "replace").replace("\r\n", "\n"), monitor
        monitor.execute("quit")
        monitor.close()
    finally:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tlb_entries(monitor):
    """`info tlb` as (virtual, physical, flags) with flags like 'XG-DA---W' (X = no-execute)."""
    entries = []
    for line in monitor.hmp("info tlb").splitlines():
        match = re.match(r"([0-9a-f]+): ([0-9a-f]+) (\S{9})", line.strip())
        if match:
            entries.append((int(match.group(1), 16), int(match.group(2), 16), match.group(3)))
    assert entries, "info tlb printed nothing"
    return entries


def layout(serial):
    ranges = {}
    for name, start, end in re.findall(r"QMP-LAYOUT (\S+) (0x[0-9a-f]+) (0x[0-9a-f]+)", serial):
        ranges[name] = (int(start, 16), int(end, 16))
    return ranges


def sign_extend(address):
    return address | 0xFFFF_0000_0000_0000 if address & (1 << 47) else address


def test_no_page_is_both_writable_and_executable(idle_kernel):
    _, monitor = idle_kernel
    offenders = [hex(v) for v, _, flags in tlb_entries(monitor) if flags[-1] == "W" and flags[0] != "X"]
    assert not offenders, f"writable and executable: {offenders[:10]}"


def test_no_kernel_page_is_user_accessible(idle_kernel):
    serial, monitor = idle_kernel
    slot = layout(serial)["kernel-lower-slots"]
    for virtual, _, flags in tlb_entries(monitor):
        address = sign_extend(virtual)
        if address >= 0xFFFF_8000_0000_0000 or slot[0] <= address < slot[1]:
            assert flags[-2] != "U", f"kernel page {hex(address)} is user-accessible ({flags})"


def test_kernel_text_is_not_writable_and_rodata_not_executable(idle_kernel):
    serial, monitor = idle_kernel
    ranges = layout(serial)
    text, rodata, data = ranges["text"], ranges["rodata"], ranges["data"]
    seen_text = 0
    for virtual, _, flags in tlb_entries(monitor):
        if text[0] <= virtual < text[1]:
            seen_text += 1
            assert flags[-1] != "W", f"text page {hex(virtual)} is writable"
            assert flags[0] != "X", f"text page {hex(virtual)} is no-execute"
        if rodata[0] <= virtual < rodata[1]:
            assert flags[-1] != "W" and flags[0] == "X", f"rodata page {hex(virtual)}: {flags}"
        if data[0] <= virtual < data[1]:
            assert flags[0] == "X", f"data page {hex(virtual)} is executable"
    assert seen_text == (text[1] - text[0]) // 4096


def test_stack_guard_page_and_identity_map_are_absent(idle_kernel):
    serial, monitor = idle_kernel
    guard = layout(serial)["stack-guard"]
    virtuals = {v for v, _, _ in tlb_entries(monitor)}
    assert guard[0] not in virtuals
    assert not [v for v in virtuals if v < 0x1_0000_0000], "the boot identity map is still present"


def test_kernel_translate_agrees_with_qemu(idle_kernel):
    serial, monitor = idle_kernel
    samples = re.findall(r"QMP-TRANSLATE (0x[0-9a-f]+) (0x[0-9a-f]+|none)", serial)
    assert len(samples) >= 8, serial
    for virtual, physical in samples:
        answer = monitor.hmp(f"gva2gpa {virtual}")
        match = re.search(r"gpa: (?:0x)?([0-9a-f]+)", answer)
        if physical == "none":
            assert not match, f"{virtual}: kernel says unmapped, QEMU says {answer!r}"
        else:
            assert match and int(match.group(1), 16) == int(physical, 16), \
                f"{virtual}: kernel {physical}, QEMU {answer!r}"


def test_protection_bits_are_on_in_control_registers(idle_kernel):
    _, monitor = idle_kernel
    registers = monitor.hmp("info registers")
    cr0 = int(re.search(r"CR0=([0-9a-f]+)", registers).group(1), 16)
    cr4 = int(re.search(r"CR4=([0-9a-f]+)", registers).group(1), 16)
    efer = int(re.search(r"EFER=([0-9a-f]+)", registers).group(1), 16)
    assert cr0 & (1 << 16), "CR0.WP off"
    assert cr4 & (1 << 20) and cr4 & (1 << 21), "SMEP/SMAP off (QEMU -cpu max has both)"
    assert efer & (1 << 11), "EFER.NXE off"


def test_nmi_is_reported_from_its_own_ist_stack():
    """An NMI injected through QMP reaches the IDT's vector 2 on the IST2 stack and panics.

    Under SeaBIOS: qboot, the runners' usual firmware, leaves LINT1 (where QEMU delivers the
    injected NMI) unprogrammed."""
    directory = tempfile.mkdtemp(prefix="qmp-nmi-")
    path = os.path.join(directory, "qmp.sock")
    process = subprocess.Popen(
        [os.path.join(ROOT, "tools", "qemu-run"), "--timeout", str(TIMEOUT), "--image", IMAGE,
         "--seabios", "--",
         "-append", "test=qmp-idle", "-qmp", f"unix:{path},server=on,wait=off"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        serial = b""
        deadline = time.monotonic() + TIMEOUT
        while READY.encode() not in serial:
            assert time.monotonic() < deadline, serial
            ready, _, _ = select.select([process.stdout], [], [], 1)
            if ready:
                serial += os.read(process.stdout.fileno(), 65536)
        monitor = Monitor(path)
        monitor.execute("inject-nmi")
        rest, _ = process.communicate(timeout=TIMEOUT)
        output = (serial + rest).decode("utf-8", "replace")
        assert process.returncode == 35, output
        assert "KERNEL PANIC: unhandled CPU exception NMI non-maskable interrupt (vector 2)" in output
        assert "(IST2, the NMI stack)" in output, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
