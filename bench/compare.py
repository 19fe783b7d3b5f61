#!/usr/bin/env python3
"""Run pagefault-bench on Linux (tools/run-linux, transparent_hugepage=never) and on our kernel
(tools/run-elf, when it exists) several times, interleaved, and print a side-by-side table.

    bench/compare.py [--runs N] [--mib M] [--reps R] [--icount-runs K] [--icount-mib M]
                     [--binary PATH] [--linux-runner CMD] [--ours-runner CMD] [--cases a,b,...]

Per case the figure is the median over runs of each run's RESULT (itself the median repetition).
Ratio = Linux / ours: above 1 means our kernel is faster (ran in less time / fewer instructions).

Wall-clock runs: QEMU TCG as is; guest CLOCK_MONOTONIC follows host time, so the figures move
with the host's load (rerun the baseline beside any comparison; runs are interleaved).

Instruction runs (--icount-runs, default 1, at --icount-mib MiB, default 16): both QEMUs run with
`-icount shift=0`, where the guest clock advances one nanosecond per guest instruction, so
"ns/page" reads as guest instructions per page (every instruction executed meanwhile: fault
entry/exit, handler, zeroing, the mmap/munmap share, interrupts). Deterministic to ~1%.
Ours gets RUN_ELF_ICOUNT=1 and must add `-icount shift=0` for the column to mean instructions.

Boot time ("QEMU start to first user instruction") comes from the runner's own report on stderr
(`boot-to-init X s` from tools/run-linux --timing, or `boot-to-user X s` / `boot-to-init X s`
from tools/run-elf under RUN_ELF_TIMING=1, if it prints one). The script also measures, the same
way for both, "runner spawn to first output": host wall time from starting the runner to the
first byte of the program's output, which includes the runner's own setup.
"""

import argparse
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULT = re.compile(r"^RESULT (\S+) ([0-9.]+) ([0-9.]+) (-?[0-9.]+)\s*$")
BOOT = re.compile(r"boot-to-(?:init|user)[^0-9]*([0-9.]+) s")
QEMU_CLEAN_EXIT = 33
CASES = ["anon-write", "anon-read", "brk-write", "malloc64k", "malloc1k", "mmap-churn"]


def run_once(runner, env_extra, binary, args, timeout, first_marker=None):
    """Runs the benchmark once. Returns (results, boot_s, first_output_s, status, stdout).
    first_output_s: seconds from spawn to the first stdout byte, or to the first appearance of
    first_marker when given."""
    env = dict(os.environ)
    env.update(env_extra)
    t0 = time.monotonic()
    p = subprocess.Popen(runner + [binary] + args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    out, err = b"", b""
    first = None
    fds = {p.stdout.fileno(): "out", p.stderr.fileno(): "err"}
    deadline = t0 + timeout
    while fds:
        if time.monotonic() > deadline:
            p.kill()
            break
        ready, _, _ = select.select(list(fds), [], [], 1.0)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                del fds[fd]
                continue
            if fds[fd] == "out":
                out += chunk
                if first is None and (first_marker is None or first_marker in out):
                    first = time.monotonic() - t0
            else:
                err += chunk
    status = p.wait()
    if runner and runner[0].endswith("qemu-run") and status == QEMU_CLEAN_EXIT:
        status = 0  # the kernel's clean shutdown through isa-debug-exit (2*16+1)
    text = out.decode(errors="replace")
    results = {}
    for line in text.splitlines():
        m = RESULT.match(line)
        if m:
            results[m.group(1)] = (float(m.group(2)), float(m.group(4)))
    m = BOOT.search(err.decode(errors="replace"))
    boot = float(m.group(1)) if m else None
    if status != 0 or not results:
        sys.stderr.write("compare: %s exited %d\n%s%s\n" % (" ".join(runner), status,
                                                           text[-2000:], err.decode()[-2000:]))
    return results, boot, first, status, text


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=0):
    if v is None:
        return "n/a"
    return "{:,.{d}f}".format(v, d=digits)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3, help="wall-clock runs per kernel")
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--icount-runs", type=int, default=1, help="-icount runs per kernel (0: none)")
    ap.add_argument("--icount-mib", type=int, default=16)
    ap.add_argument("--cases", default="")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "bench", "pagefault-bench"))
    ap.add_argument("--linux-runner", default="tools/run-linux --thp never --timing")
    ap.add_argument("--ours-runner", default="tools/run-elf")
    ap.add_argument("--timeout", type=float, default=900)
    o = ap.parse_args()

    cases = [c for c in o.cases.split(",") if c] or CASES
    extra = [] if cases == CASES else cases
    linux = o.linux_runner.split()
    ours = o.ours_runner.split()
    ours_path = os.path.join(ROOT, ours[0])
    have_ours = os.access(ours_path, os.X_OK)
    sides = [("linux", linux, {"RUN_LINUX_TIMING": "1"})]
    ours_icount = False
    ours_icount_via = None
    if have_ours:
        ours_env = {"RUN_ELF_TIMING": "1", "RUN_ELF_TIMEOUT": str(int(o.timeout))}
        if "RUN_ELF_KERNEL" not in os.environ and os.path.basename(ours[0]) == "run-elf":
            # Build the kernel once and boot the same copy every time: no make in the timed
            # path, and a concurrent rebuild cannot change the kernel between runs.
            if subprocess.run(["make", "-s", "-C", ROOT, "build/kernel32.elf"],
                              stdout=subprocess.DEVNULL).returncode != 0:
                sys.exit("compare: building our kernel (make build/kernel32.elf) failed")
            pinned = os.path.join(ROOT, "build", "bench", "kernel-under-test.elf")
            os.makedirs(os.path.dirname(pinned), exist_ok=True)
            shutil.copyfile(os.path.join(ROOT, "build", "kernel32.elf"), pinned)
            ours_env["RUN_ELF_KERNEL"] = pinned
        elif "RUN_ELF_KERNEL" in os.environ:
            # A given image: the instruction and boot runs through tools/qemu-run use it too.
            ours_env["RUN_ELF_KERNEL"] = os.environ["RUN_ELF_KERNEL"]
        sides.append(("ours", ours, ours_env))
        # Only a runner that knows RUN_ELF_ICOUNT turns -icount on; otherwise its "ns" would be
        # wall-clock nanoseconds, not instructions.
        with open(ours_path, errors="replace") as f:
            ours_icount = "RUN_ELF_ICOUNT" in f.read()
    icount_env = {"linux": {"RUN_LINUX_ICOUNT": "1"}, "ours": {"RUN_ELF_ICOUNT": "1"}}

    wall = {"linux": [], "ours": []}
    instr = {"linux": [], "ours": []}
    for i in range(o.runs):
        for side, runner, env in sides:
            sys.stderr.write("compare: wall-clock run %d/%d on %s\n" % (i + 1, o.runs, side))
            wall[side].append(run_once(runner, env, o.binary,
                                       [str(o.mib), str(o.reps)] + extra, o.timeout))
    for i in range(o.icount_runs):
        for side, runner, env in sides:
            args = [str(o.icount_mib), str(o.reps)] + extra
            sys.stderr.write("compare: -icount run %d/%d on %s\n" % (i + 1, o.icount_runs, side))
            if side == "ours" and not ours_icount:
                # run-elf cannot add -icount: boot the same pinned kernel through tools/qemu-run
                # (run-elf's own QEMU wrapper) with -icount and the program as the Multiboot
                # module, as run-elf does; only the RESULT lines are needed from the output.
                if "RUN_ELF_KERNEL" not in env or any(" " in a or "," in a for a in args):
                    continue
                qemu_run = [os.path.join(ROOT, "tools", "qemu-run"), "--timeout",
                            str(int(o.timeout)), "--image", env["RUN_ELF_KERNEL"], "--",
                            "-icount", "shift=0", "-initrd"]
                instr[side].append(run_once(qemu_run, {}, " ".join([o.binary] + args), [],
                                            o.timeout))
                ours_icount_via = "tools/qemu-run -icount shift=0 (run-elf's QEMU setup)"
                continue
            instr[side].append(run_once(runner, dict(env, **icount_env[side]), o.binary,
                                        args, o.timeout))

    # Ours' boot time, measured like run-linux measures Linux's: from starting QEMU (through
    # tools/qemu-run, run-elf's wrapper, with the pinned kernel) to the program's first output
    # line, which its first few thousand user instructions produce.
    ours_boot = []
    if have_ours and "RUN_ELF_KERNEL" in sides[-1][2]:
        qemu_run = [os.path.join(ROOT, "tools", "qemu-run"), "--timeout", "60", "--image",
                    sides[-1][2]["RUN_ELF_KERNEL"], "--", "-initrd"]
        for i in range(max(1, o.runs)):
            r = run_once(qemu_run, {}, "%s 1 1 anon-read" % o.binary, [], 90,
                         first_marker=b"# pagefault-bench")
            ours_boot.append(r[2])

    def per_case(runs, side, case, k):
        return med([r[0][case][k] for r in runs[side] if case in r[0]])

    def ratio(a, b):
        return a / b if a and b else None

    print()
    print("pagefault-bench on QEMU TCG -cpu max,-la57 -m 1G; Linux 6.1 with transparent_hugepage=never")
    print("wall: %d run(s) per kernel of %d MiB x %d reps, median ns per 4 KiB page"
          % (o.runs, o.mib, o.reps))
    if o.icount_runs:
        print("instr: %d run(s) per kernel under -icount shift=0 of %d MiB x %d reps, "
              "guest instructions per page" % (o.icount_runs, o.icount_mib, o.reps))
    print("ratio = Linux / ours (>1: ours faster); flt/pg = ru_minflt per page (wall runs)")
    print()
    hdr = "%-11s %9s %9s %6s  %9s %9s %6s  %7s %7s  %s" % (
        "case", "Linux ns", "ours ns", "ratio", "Linux in", "ours in", "ratio",
        "L flt", "O flt", "Linux ns range")
    print(hdr)
    print("-" * len(hdr))
    for c in cases:
        lx, ou = per_case(wall, "linux", c, 0), per_case(wall, "ours", c, 0)
        li, oi = per_case(instr, "linux", c, 0), per_case(instr, "ours", c, 0)
        v = [r[0][c][0] for r in wall["linux"] if c in r[0]]
        rng = "%s-%s" % (fmt(min(v)), fmt(max(v))) if v else "n/a"
        print("%-11s %9s %9s %6s  %9s %9s %6s  %7s %7s  %s" % (
            c, fmt(lx), fmt(ou), fmt(ratio(lx, ou), 2), fmt(li), fmt(oi), fmt(ratio(li, oi), 2),
            fmt(per_case(wall, "linux", c, 1), 3), fmt(per_case(wall, "ours", c, 1), 3), rng))
    print("-" * len(hdr))
    lb, ob = med([r[1] for r in wall["linux"]]), med([r[1] for r in wall["ours"]])
    if ob is None and ours_boot:
        ob = med(ours_boot)
    lf, of = med([r[2] for r in wall["linux"]]), med([r[2] for r in wall["ours"]])
    print("%-33s %9s %9s %6s" % ("QEMU start -> 1st user insn (s)", fmt(lb, 3), fmt(ob, 3),
                                 fmt(ratio(lb, ob), 1)))
    print("%-33s %9s %9s %6s" % ("runner spawn -> 1st output (s)", fmt(lf, 3), fmt(of, 3),
                                 fmt(ratio(lf, of), 1)))
    if not have_ours:
        print("\nours: n/a - %s does not exist yet (no process support in our kernel)" % ours[0])
    else:
        if o.icount_runs and ours_icount_via:
            print("\nours instructions: measured through %s" % ours_icount_via)
        elif o.icount_runs and not ours_icount:
            print("\nours instructions: n/a - %s has no RUN_ELF_ICOUNT=1 (-icount shift=0) "
                  "support" % ours[0])
        if ours_boot:
            print("ours boot: QEMU start (tools/qemu-run) -> the program's first output line, "
                  "median of %d; Linux: QEMU start -> /init's first write" % len(ours_boot))
        elif ob is None:
            print("ours boot: n/a - %s prints no 'boot-to-user X s' under RUN_ELF_TIMING=1; "
                  "compare the spawn -> 1st output row" % ours[0])
    bad = sorted({s for runs in (wall, instr) for s in runs for r in runs[s] if r[3] != 0})
    if bad:
        print("\nWARNING: some runs exited non-zero: %s" % ", ".join(bad))
        sys.exit(1)


if __name__ == "__main__":
    main()
