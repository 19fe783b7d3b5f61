#!/usr/bin/env python3
"""Run pagefault-bench on Linux (tools/run-linux, transparent_hugepage=never) and on our kernel
(tools/run-elf, when it exists) several times, interleaved, and print a side-by-side table.

    bench/compare.py [--runs N] [--mib M] [--reps R] [--icount] [--binary PATH]
                     [--linux-runner CMD] [--ours-runner CMD] [--cases a,b,...]

Per case the figure is the median over runs of each run's RESULT (itself the median repetition).
Ratio = Linux ns/page / ours ns/page: above 1 means our kernel is faster.

Boot time ("QEMU start to first user instruction") comes from the runner's own report on stderr
(`boot-to-init X s` from tools/run-linux, or `boot-to-user X s` / `boot-to-init X s` from
tools/run-elf if it prints one under RUN_ELF_TIMING=1). Independently of the runner, the script
also measures "spawn to first output": host wall time from starting the runner to the first byte
of the program's output, which includes the runner's own setup.

With --icount both QEMUs run with `-icount shift=0`: the guest clock then advances one
nanosecond per guest instruction, so "ns/page" reads as guest instructions per page (interrupts
and everything else the CPU executed in that time included). Ours gets RUN_ELF_ICOUNT=1; if
run-elf ignores it the figures are not comparable and the script says so.
"""

import argparse
import os
import re
import select
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULT = re.compile(r"^RESULT (\S+) ([0-9.]+) ([0-9.]+) (-?[0-9.]+)\s*$")
BOOT = re.compile(r"boot-to-(?:init|user)[^0-9]*([0-9.]+) s")
CASES = ["anon-write", "anon-read", "brk-write", "malloc64k", "malloc1k", "mmap-churn"]


def run_once(runner, env_extra, binary, args, timeout):
    """Runs the benchmark once. Returns (results, boot_s, first_output_s, status, stdout)."""
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
                if first is None:
                    first = time.monotonic() - t0
                out += chunk
            else:
                err += chunk
    status = p.wait()
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
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cases", default="")
    ap.add_argument("--icount", action="store_true")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "bench", "pagefault-bench"))
    ap.add_argument("--linux-runner", default="tools/run-linux --thp never --timing")
    ap.add_argument("--ours-runner", default="tools/run-elf")
    ap.add_argument("--timeout", type=float, default=600)
    o = ap.parse_args()

    cases = [c for c in o.cases.split(",") if c] or CASES
    args = [str(o.mib), str(o.reps)] + ([] if cases == CASES else cases)
    linux = o.linux_runner.split()
    ours = o.ours_runner.split()
    have_ours = os.access(os.path.join(ROOT, ours[0]), os.X_OK)
    linux_env = {"RUN_LINUX_TIMING": "1"}
    ours_env = {"RUN_ELF_TIMING": "1"}
    if o.icount:
        linux_env["RUN_LINUX_ICOUNT"] = "1"
        ours_env["RUN_ELF_ICOUNT"] = "1"

    runs = {"linux": [], "ours": []}
    for i in range(o.runs):
        sys.stderr.write("compare: run %d/%d on Linux\n" % (i + 1, o.runs))
        runs["linux"].append(run_once(linux, linux_env, o.binary, args, o.timeout))
        if have_ours:
            sys.stderr.write("compare: run %d/%d on ours\n" % (i + 1, o.runs))
            runs["ours"].append(run_once(ours, ours_env, o.binary, args, o.timeout))

    def per_case(side, case, k):
        return med([r[0][case][k] for r in runs[side] if case in r[0]])

    def spread(side, case):
        v = [r[0][case][0] for r in runs[side] if case in r[0]]
        return "%s-%s" % (fmt(min(v)), fmt(max(v))) if v else "n/a"

    unit = "instr/page (icount)" if o.icount else "ns/page"
    print()
    print("pagefault-bench, %d MiB x %d reps per run, %d run(s) per kernel, QEMU TCG "
          "-cpu max,-la57; Linux 6.1 with transparent_hugepage=never%s"
          % (o.mib, o.reps, o.runs, ", -icount shift=0" if o.icount else ""))
    print("figures: median over runs of %s; ratio = Linux / ours (>1: ours faster)" % unit)
    print()
    hdr = "%-12s %12s %12s %8s %14s %13s %13s" % (
        "case", "Linux", "ours", "ratio", "Linux range", "Linux flt/pg", "ours flt/pg")
    print(hdr)
    print("-" * len(hdr))
    for c in cases:
        lx, ou = per_case("linux", c, 0), per_case("ours", c, 0)
        ratio = lx / ou if lx and ou else None
        print("%-12s %12s %12s %8s %14s %13s %13s" % (
            c, fmt(lx), fmt(ou), fmt(ratio, 2), spread("linux", c),
            fmt(per_case("linux", c, 1), 3), fmt(per_case("ours", c, 1), 3)))
    lb = med([r[1] for r in runs["linux"]])
    ob = med([r[1] for r in runs["ours"]])
    lf = med([r[2] for r in runs["linux"]])
    of = med([r[2] for r in runs["ours"]])
    print("-" * len(hdr))
    print("%-34s %9s %12s %8s" % ("QEMU start -> first user insn (s)", fmt(lb, 3), fmt(ob, 3),
                                  fmt(lb / ob if lb and ob else None, 1)))
    print("%-34s %9s %12s %8s" % ("runner spawn -> first output (s)", fmt(lf, 3), fmt(of, 3),
                                  fmt(lf / of if lf and of else None, 1)))
    if not have_ours:
        print("\nours: n/a — %s does not exist yet (no process support in our kernel)" % ours[0])
    bad = [s for s in runs for r in runs[s] if r[3] != 0]
    if bad:
        print("\nWARNING: some runs exited non-zero: %s" % ", ".join(sorted(set(bad))))
        sys.exit(1)


if __name__ == "__main__":
    main()
