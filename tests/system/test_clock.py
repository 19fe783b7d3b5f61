"""The kernel's clock is sane (issue 9's clock bug): the TSC's frequency calibrated at boot
against the PIT, and everything measured with it.

Under host load a single 2 ms PIT window came out 2.5-15 times too long (the QEMU vCPU thread
descheduled at the window's edge): 30.9, 31.1, 6.6 GHz for a true ~2.46, and the tick
conversion then overflowed above 18.4 GHz (#UD in the timer interrupt). The calibration now
measures several windows with TSC-bracketed edges and takes the median of the precise ones
(Kernel/Syscall/MonotonicClock.swift, Sources/LinuxABI/Time/ClockCalibration.swift).

The bounds are loose on purpose: TCG on a shared 2-core host can be slow, but it cannot make
the clock run at a different rate, and a wrong calibration is off by a factor (2.5-15), not by
percents."""

import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import EXIT_SUCCESS, boot

TSC_LINE = re.compile(r"TSC (\d+) kHz")
CALIBRATION_LINE = re.compile(r"clock calibration: (\d+) of (\d+) PIT windows precise")
# A busy host process per core and then some: what disturbed the calibration (load 6-9).
LOAD_PROCESSES = 4
BOOTS_UNDER_LOAD = 4
# A wrong calibration was off by 2.5x to 15x; the right one is within a percent.
FACTOR = 1.5
# The most a 200 ms sleep may take in host time: 5x.
SLOWEST_SLEEP = 1.0

SLEEPER = r"""
#include <stdio.h>
#include <time.h>
int main(void) {
    struct timespec start, end, t = { 0, 200000000L };
    clock_gettime(CLOCK_MONOTONIC, &start);
    nanosleep(&t, 0);
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("slept %ld us\n", (end.tv_sec - start.tv_sec) * 1000000L
           + (end.tv_nsec - start.tv_nsec) / 1000L);
    return 0;
}"""


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    if shutil.which("musl-gcc") is None:
        pytest.fail("musl-gcc is missing: apt-get install -y --no-install-recommends musl-tools")
    directory = tmp_path_factory.mktemp("clock-programs")
    built = {}
    for name, text in {"sleep-200ms": SLEEPER, "none": "int main(void) { return 0; }"}.items():
        source = directory / (name + ".c")
        source.write_text(text)
        built[name] = str(directory / name)
        subprocess.run(["musl-gcc", "-static", "-O2", "-o", built[name], str(source)], check=True)
    return built


def tsc_khz(run):
    assert run.status == EXIT_SUCCESS, run
    match = TSC_LINE.search(run.output)
    assert match, "no TSC line in the boot output:\n" + run.output
    return int(match.group(1))


def host_mhz():
    """The host's clock in MHz from /proc/cpuinfo, or None (not every host reports it)."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            found = re.findall(r"^cpu MHz\s*:\s*([\d.]+)", cpuinfo.read(), re.M)
    except OSError:
        return None
    return max(float(mhz) for mhz in found) if found else None


def host_seconds(program):
    start = time.monotonic()
    run = boot(extra=["-initrd", program], timeout=60)
    return run, time.monotonic() - start


def test_a_200_ms_sleep_takes_200_ms_of_the_hosts_time(programs):
    """The guest's 200 ms are real time: at least 200 ms by the guest's clock (Linux's rule);
    the boot that sleeps, as the host measured it, at least 200 ms long (a TSC calibrated too
    slow makes the guest's clock run fast) and at most SLOWEST_SLEEP longer than a boot that
    does not sleep (a TSC calibrated 15x too fast made the 200 ms last 3 s). The upper bound
    is loose because a loaded host can delay the sleeping boot by a few hundred ms."""
    _, quiet_seconds = host_seconds(programs["none"])
    run, sleeping_seconds = host_seconds(programs["sleep-200ms"])
    assert run.status == EXIT_SUCCESS, run
    match = re.search(r"slept (\d+) us", run.output)
    assert match, run.output
    assert int(match.group(1)) >= 200_000, run.output
    assert sleeping_seconds >= 0.2, f"the guest slept 200 ms in {sleeping_seconds:.3f} s"
    assert sleeping_seconds - quiet_seconds < SLOWEST_SLEEP, \
        f"the guest's 200 ms took {sleeping_seconds - quiet_seconds:.3f} s of the host's time"


def test_the_tsc_frequency_is_right_under_host_load(programs):
    """Boots with busy host processes competing for the vCPU's core: each boot's calibrated
    TSC is within FACTOR of the host's reported clock (QEMU TCG's TSC runs at the host's TSC
    rate) or, without one, of a boot on the quiet host. Before the fix 3 boots in 6 under
    this load were off by 2.7-12.6x."""
    reference_khz = tsc_khz(boot(extra=["-initrd", programs["none"]], timeout=60))
    mhz = host_mhz()
    if mhz:
        # Both should name the same clock; if they disagree (a host reporting its current,
        # scaled frequency), the quiet boot is the reference.
        if abs(reference_khz / (mhz * 1000) - 1) < FACTOR - 1:
            reference_khz = mhz * 1000
    busy = [subprocess.Popen(["python3", "-c", "while True: pass"])
            for _ in range(LOAD_PROCESSES)]
    try:
        runs = [boot(extra=["-initrd", programs["none"]], timeout=90)
                for _ in range(BOOTS_UNDER_LOAD)]
    finally:
        for process in busy:
            process.kill()
            process.wait()
    figures = [tsc_khz(run) for run in runs]
    for khz in figures:
        assert reference_khz / FACTOR <= khz <= reference_khz * FACTOR, \
            f"TSC {khz} kHz under load, reference {reference_khz:.0f} kHz: {figures}"
    for run in runs:
        assert CALIBRATION_LINE.search(run.output), run.output
