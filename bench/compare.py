#!/usr/bin/env python3
"""Run pagefault-bench on Linux (tools/run-linux, transparent_hugepage=never) and on our kernel
(tools/run-elf, when it exists) several times, interleaved, and print a side-by-side table.

    bench/compare.py [--runs N] [--mib M] [--reps R] [--icount-runs K] [--icount-mib M]
                     [--binary PATH] [--linux-runner CMD] [--ours-runner CMD] [--cases a,b,...]
                     [--tables pagefault,process] [--process-runs N] [--process-binary PATH]
                     [--process-memory SIZE] [--file-runs N] [--file-binary PATH]
                     [--file-mib M] [--file-icount-mib M] [--file-exec-reps N]

Per case the figure is the median over runs of each run's RESULT (itself the median repetition).
Ratio = Linux / ours: above 1 means our kernel is faster (ran in less time / fewer instructions).

Wall-clock runs: QEMU TCG as is; guest CLOCK_MONOTONIC follows host time, so the figures move
with the host's load (rerun the baseline beside any comparison; runs are interleaved).

Instruction runs (--icount-runs, default 1, at --icount-mib MiB, default 16): both QEMUs run with
`-icount shift=0`, where the guest clock advances one nanosecond per guest instruction, so
"ns/page" reads as guest instructions per page (every instruction executed meanwhile: fault
entry/exit, handler, zeroing, the mmap/munmap share, interrupts). Deterministic to ~1%.
Ours gets RUN_ELF_ICOUNT=1 and must add `-icount shift=0` for the column to mean instructions.

Process table (issue 9 §6): bench/process-bench.c run --process-runs times per kernel (default
--runs), interleaved; Linux with its default transparent_hugepage=always (the setup of the
issue's quoted figures: its 64 MiB and 512 MiB forks copy one entry per 2 MiB page), or with
--process-4k both kernels on 4 KiB pages (Linux transparent_hugepage=never, MADV_NOHUGEPAGE);
both guests with RUN_ELF_MEMORY=--process-memory (default 2G: our kernel commits a child's
private pages at fork, so forking 512 MiB needs twice that); per case the median over runs of
each run's median repetition. A case a kernel cannot run (fork refused, no fork at
all) shows n/a; a failed run is reported in a NOTE and does not change the exit status: the
figures are measurements, not a timed test.

Thread table (issue 10 §3): bench/thread-bench.c (static musl, pthreads) run --thread-runs times
per kernel (default --runs), interleaved: thread create+join, futex hand-off between two
threads, SIGSEGV handler round trip; per case the median over runs. A case a kernel cannot run
yet (no threads, no futex, no signal delivery: the benchmark runs each case in a child process
and reports why) shows "n/a (not supported: REASON)" and the script says so; it never crashes
on it. Target (issue 10): ratio >= 2 each.

File table (issue 11 §5): bench/file-bench.c run --file-runs times per kernel (default --runs),
interleaved, each boot with the same root tree (build/bench/python-root, made by
tools/debian-root --install --python python3.11, the benchmark copied in): page-cache-hit
mapping faults (MAP_PRIVATE read, MAP_SHARED write; ns per page), read(2) of the cached
--file-mib MiB file in 64 KiB and 1 MiB pieces (MiB/s), and fork + execve + wait of
`python3.11 -c pass` (ms, warm); --icount-runs more runs under -icount shift=0 at
--file-icount-mib MiB give instructions per unit (ours through tools/qemu-run with the modules
run-elf would make). Target (issue 11): ratio >= 1.5 each.

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
PROC = re.compile(r"^PROC (\S+) (\d+) (\d+)\s*$")
# process-bench cases: (name, unit, nanoseconds per unit, Linux 6.1 under the same TCG setup as
# issue 9 quotes it)
PROCESS_CASES = [
    ("fork-exit-wait", "ms", 1e6, 1.14),
    ("fork-64M", "ms", 1e6, 1.83),
    ("fork-64M-exit-wait", "ms", 1e6, None),
    ("fork-512M", "ms", 1e6, 4.34),
    ("fork-512M-exit-wait", "ms", 1e6, None),
    ("cow-write", "us/page", 1e3, 32.6),
    ("pipe-round-trip", "us", 1e3, 81),
    ("fork-execve-wait", "ms", 1e6, 1.44),
    ("vfork-execve-wait", "ms", 1e6, None),
]
# thread-bench cases (issue 10 §3): (name, unit, nanoseconds per unit, Linux 6.1 as the issue
# quotes it)
THREAD_CASES = [
    ("thread-create-join", "ms", 1e6, 0.69),
    ("futex-handoff", "us", 1e3, None),
    ("sigsegv-round-trip", "us", 1e3, None),
]
THREAD_TARGET = 2.0
# file-bench cases (issue 11 §5): (name, unit, the figure from ns per the benchmark's unit,
# instruction unit); target: ratio >= FILE_TARGET each
FILE_CASES = [
    ("file-private-read", "ns/page", lambda ns: ns, "in/page"),
    ("file-shared-write", "ns/page", lambda ns: ns, "in/page"),
    ("read-64k", "MiB/s", lambda ns: 1e9 / ns, "in/MiB"),
    ("read-1m", "MiB/s", lambda ns: 1e9 / ns, "in/MiB"),
    ("exec", "ms", lambda ns: ns / 1e6, "in/exec"),
]
FILE_TARGET = 1.5
FILE_RESULT_NA = re.compile(r"^RESULT (\S+) n/a (\S+)")
# The root tree of the exec case: python3.11 and what it loads (tools/debian-root --python, as
# tests/system/test_debian_dynamic.py builds it), file-bench at FILE_BENCH_IN_TREE.
FILE_TREE = os.path.join(ROOT, "build", "bench", "python-root")
FILE_BENCH_IN_TREE = "/bench/file-bench"
FILE_EXEC = ["/usr/bin/python3.11", "-c", "pass"]


def run_once(runner, env_extra, binary, args, timeout, first_marker=None, want_results=True):
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
    if status != 0 or (want_results and not results):
        sys.stderr.write("compare: %s exited %d\n%s%s\n" % (" ".join(runner), status,
                                                           text[-2000:], err.decode()[-2000:]))
    return results, boot, first, status, text


def print_table(header, rows, left=1, footer=()):
    """The one table printer of every table here: the header, a rule, the rows, a rule, then
    the footer rows (below the rule: totals and boot times). Cells are strings; each column is
    as wide as its widest cell; the first `left` columns are aligned left, the others (the
    figures) right."""
    lines = [header] + list(rows) + list(footer)
    widths = [max(len(line[i]) if i < len(line) else 0 for line in lines)
              for i in range(len(header))]

    def render(cells):
        out = [c.ljust(w) if i < left else c.rjust(w)
               for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(out).rstrip()
    text = render(header)
    rule = "-" * len(text)
    print(text)
    print(rule)
    for row in rows:
        print(render(row))
    print(rule)
    for row in footer:
        print(render(row))


def spread_of(values, digits):
    """"min-max" of `values`, or n/a."""
    return "%s-%s" % (fmt(min(values), digits), fmt(max(values), digits)) if values else "n/a"


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
    ap.add_argument("--tables", default="pagefault,process,thread,file")
    ap.add_argument("--process-runs", type=int, default=None, help="default: --runs")
    ap.add_argument("--process-binary",
                    default=os.path.join(ROOT, "build", "bench", "process-bench"))
    ap.add_argument("--process-memory", default="2G")
    ap.add_argument("--process-linux-runner", default="tools/run-linux --timing",
                    help="Linux's runner for the process table (default THP: always)")
    ap.add_argument("--process-4k", action="store_true",
                    help="process table with 4 KiB pages only: Linux with --linux-runner "
                         "(transparent_hugepage=never) and MADV_NOHUGEPAGE on the touched memory")
    ap.add_argument("--thread-runs", type=int, default=None, help="default: --runs")
    ap.add_argument("--thread-binary",
                    default=os.path.join(ROOT, "build", "bench", "thread-bench"))
    ap.add_argument("--thread-linux-runner", default="tools/run-linux --timing")
    ap.add_argument("--file-runs", type=int, default=None, help="default: --runs")
    ap.add_argument("--file-binary", default=os.path.join(ROOT, "build", "bench", "file-bench"))
    ap.add_argument("--file-mib", type=int, default=64)
    ap.add_argument("--file-icount-mib", type=int, default=16)
    ap.add_argument("--file-exec-reps", type=int, default=5)
    o = ap.parse_args()
    tables = [t for t in o.tables.split(",") if t]
    o.file_icount_runs = o.icount_runs
    if o.file_runs is None:
        o.file_runs = o.runs
    if "pagefault" not in tables:
        o.runs = o.icount_runs = 0

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

    process = process_runs(o, sides, tables)
    threads = thread_runs(o, sides, tables)
    files = file_runs(o, sides, tables)

    # Ours' boot time, measured like run-linux measures Linux's: from starting QEMU (through
    # tools/qemu-run, run-elf's wrapper, with the pinned kernel) to the program's first output
    # line, which its first few thousand user instructions produce.
    ours_boot = []
    if have_ours and "RUN_ELF_KERNEL" in sides[-1][2] and o.runs:
        qemu_run = [os.path.join(ROOT, "tools", "qemu-run"), "--timeout", "60", "--image",
                    sides[-1][2]["RUN_ELF_KERNEL"], "--", "-initrd"]
        for i in range(max(1, o.runs)):
            r = run_once(qemu_run, {}, "%s 1 1 anon-read" % o.binary, [], 90,
                         first_marker=b"# pagefault-bench")
            ours_boot.append(r[2])

    if "pagefault" not in tables:
        if process is not None:
            print_process_table(o, process, have_ours, ours)
        if threads is not None:
            print_thread_table(threads, have_ours, ours)
        if files is not None:
            print_file_table(o, files, have_ours, ours)
        return

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
    rows = []
    for c in cases:
        lx, ou = per_case(wall, "linux", c, 0), per_case(wall, "ours", c, 0)
        li, oi = per_case(instr, "linux", c, 0), per_case(instr, "ours", c, 0)
        v = [r[0][c][0] for r in wall["linux"] if c in r[0]]
        rows.append([c, fmt(lx), fmt(ou), fmt(ratio(lx, ou), 2), fmt(li), fmt(oi),
                     fmt(ratio(li, oi), 2), fmt(per_case(wall, "linux", c, 1), 3),
                     fmt(per_case(wall, "ours", c, 1), 3), spread_of(v, 0)])
    lb, ob = med([r[1] for r in wall["linux"]]), med([r[1] for r in wall["ours"]])
    if ob is None and ours_boot:
        ob = med(ours_boot)
    lf, of = med([r[2] for r in wall["linux"]]), med([r[2] for r in wall["ours"]])
    footer = [["QEMU start -> 1st user insn (s)", fmt(lb, 3), fmt(ob, 3), fmt(ratio(lb, ob), 1)],
              ["runner spawn -> 1st output (s)", fmt(lf, 3), fmt(of, 3), fmt(ratio(lf, of), 1)]]
    print_table(["case", "Linux ns", "ours ns", "ratio", "Linux in", "ours in", "ratio",
                 "L flt", "O flt", "Linux ns range"], rows, footer=footer)
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
    if process is not None:
        print_process_table(o, process, have_ours, ours)
    if threads is not None:
        print_thread_table(threads, have_ours, ours)
    if files is not None:
        print_file_table(o, files, have_ours, ours)
    bad = sorted({s for runs in (wall, instr) for s in runs for r in runs[s] if r[3] != 0})
    if bad:
        print("\nWARNING: some runs exited non-zero: %s" % ", ".join(bad))
        sys.exit(1)


def process_runs(o, sides, tables):
    """{side: [(figures {case: ns}, unavailable {case: reason}, status), ...]} from
    process-bench, or None when the table is not wanted or the binary is missing."""
    if "process" not in tables:
        return None
    if not os.path.exists(o.process_binary):
        sys.stderr.write("compare: %s is missing: no process table\n" % o.process_binary)
        return None
    runs = o.runs if o.process_runs is None else o.process_runs
    out = {side: [] for side, _, _ in sides}
    for i in range(max(1, runs)):
        for side, runner, env in sides:
            sys.stderr.write("compare: process run %d/%d on %s\n" % (i + 1, max(1, runs), side))
            env = dict(env, RUN_ELF_MEMORY=o.process_memory)
            if side == "linux" and not o.process_4k:
                runner = o.process_linux_runner.split()
            args = ["1", "all"] + ([] if o.process_4k else ["huge"])
            r = run_once(runner, env, o.process_binary, args, o.timeout, want_results=False)
            figures, missing = {}, {}
            for line in r[4].splitlines():
                m = PROC.match(line)
                if m:
                    figures[m.group(1)] = float(m.group(2))
                elif line.startswith("PROC ") and " n/a " in line:
                    missing[line.split()[1]] = " ".join(line.split()[3:])
            out[side].append((figures, missing, r[3]))
    return out


def print_process_table(o, process, have_ours, ours):
    runs = len(process["linux"])
    print()
    print("process-bench (issue 9), RUN_ELF_MEMORY=%s, %d run(s) per kernel, median; "
          "ratio = Linux / ours" % (o.process_memory, runs))
    print("pages: %s" % ("4 KiB only (Linux transparent_hugepage=never, MADV_NOHUGEPAGE)"
                         if o.process_4k else "Linux's default transparent_hugepage=always "
                         "(the touched memory may be 2 MiB pages on Linux, as in the issue's "
                         "figures); --process-4k for 4 KiB pages on both"))
    print()
    rows = []
    for case, unit, scale, quoted in PROCESS_CASES:
        def values(side):
            return [f[case] / scale for f, _, _ in process.get(side, []) if case in f]
        lx, ou = med(values("linux")), med(values("ours"))
        ratio = lx / ou if lx and ou else None
        rows.append([case, unit, fmt(lx, 3), fmt(ou, 3), fmt(ratio, 2),
                     fmt(quoted, 2) if quoted is not None else "",
                     spread_of(values("linux"), 3), spread_of(values("ours"), 3)])
    print_table(["case", "unit", "Linux", "ours", "ratio", "issue Linux", "Linux range",
                 "ours range"], rows, left=2)
    for side in process:
        failed = [status for _, _, status in process[side] if status != 0]
        missing = sorted({"%s (%s)" % (c, why) for _, m, _ in process[side] for c, why in m.items()})
        if failed:
            print("NOTE: %s: %d of %d process runs exited non-zero (status %s)" % (
                side, len(failed), len(process[side]), ", ".join(map(str, failed))))
        if missing:
            print("NOTE: %s could not run: %s" % (side, ", ".join(missing)))
    if not have_ours:
        print("ours: n/a - %s does not exist" % ours[0])


def thread_runs(o, sides, tables):
    """{side: [(figures {case: ns}, unavailable {case: reason}, status), ...]} from
    thread-bench, or None when the table is not wanted or the binary is missing."""
    if "thread" not in tables:
        return None
    if not os.path.exists(o.thread_binary):
        sys.stderr.write("compare: %s is missing: no thread table\n" % o.thread_binary)
        return None
    runs = o.runs if o.thread_runs is None else o.thread_runs
    out = {side: [] for side, _, _ in sides}
    for i in range(max(1, runs)):
        for side, runner, env in sides:
            sys.stderr.write("compare: thread run %d/%d on %s\n" % (i + 1, max(1, runs), side))
            if side == "linux":
                runner = o.thread_linux_runner.split()
            r = run_once(runner, env, o.thread_binary, ["1", "all"], o.timeout,
                         want_results=False)
            figures, missing = {}, {}
            for line in r[4].splitlines():
                m = PROC.match(line)
                if m:
                    figures[m.group(1)] = float(m.group(2))
                elif line.startswith("PROC ") and " n/a" in line:
                    missing[line.split()[1]] = " ".join(line.split()[3:]) or "unknown"
            out[side].append((figures, missing, r[3]))
    return out


def print_thread_table(threads, have_ours, ours):
    """The thread table; a case ours cannot run yet is `n/a (not supported: REASON)`."""
    runs = len(threads["linux"])
    print()
    print("thread-bench (issue 10), %d run(s) per kernel, median; ratio = Linux / ours; "
          "target >= %.0f" % (runs, THREAD_TARGET))
    print()
    rows = []
    unsupported = []
    for case, unit, scale, quoted in THREAD_CASES:
        def values(side):
            return [f[case] / scale for f, _, _ in threads.get(side, []) if case in f]
        lx, ou = med(values("linux")), med(values("ours"))
        ratio = lx / ou if lx and ou else None
        ours_cell = fmt(ou, 3)
        if ou is None and have_ours:
            reasons = sorted({m[case] for _, m, _ in threads.get("ours", []) if case in m})
            ours_cell = "n/a"
            unsupported.append("%s (%s)" % (case, ", ".join(reasons) or "no output"))
        met = "" if ratio is None else ("met" if ratio >= THREAD_TARGET else "missed")
        rows.append([case, unit, fmt(lx, 3), ours_cell, fmt(ratio, 2), met,
                     fmt(quoted, 2) if quoted is not None else "",
                     spread_of(values("linux"), 3), spread_of(values("ours"), 3)])
    print_table(["case", "unit", "Linux", "ours", "ratio", "target", "issue Linux",
                 "Linux range", "ours range"], rows, left=2)
    if unsupported:
        print("ours: n/a (not supported) - our kernel could not run: %s" % "; ".join(unsupported))
        print("      (REASON from thread-bench: the errno of the failing call, signal-N = the "
              "case's process was killed by signal N, timeout)")
    linux_missing = sorted({"%s (%s)" % (c, why) for _, m, _ in threads["linux"]
                            for c, why in m.items()})
    if linux_missing:
        print("NOTE: Linux could not run: %s" % ", ".join(linux_missing))
    for side in threads:
        failed = [status for _, _, status in threads[side] if status != 0]
        if failed:
            print("NOTE: %s: %d of %d thread runs exited non-zero (status %s)" % (
                side, len(failed), len(threads[side]), ", ".join(map(str, failed))))
    if not have_ours:
        print("ours: n/a - %s does not exist" % ours[0])


def file_tree(o):
    """The exec case's root tree (FILE_TREE), built by tools/debian-root (installing python3.11
    if this machine lacks it), with the benchmark copied in; None when it cannot be built."""
    built = subprocess.run(
        [os.path.join(ROOT, "tools", "debian-root"), "--install", "--python", FILE_TREE,
         "python3.11"], capture_output=True, text=True)
    if built.returncode != 0:
        sys.stderr.write("compare: tools/debian-root failed, no exec row: %s\n" % built.stderr)
        return None
    inside = os.path.join(FILE_TREE, FILE_BENCH_IN_TREE.lstrip("/"))
    os.makedirs(os.path.dirname(inside), exist_ok=True)
    shutil.copy2(o.file_binary, inside)
    return FILE_TREE


def parse_file_output(text):
    """({case: (ns per unit, minflt per unit)}, {case: reason}) of file-bench's output."""
    figures, missing = {}, {}
    for line in text.splitlines():
        m = RESULT.match(line)
        if m:
            figures[m.group(1)] = (float(m.group(2)), float(m.group(4)))
            continue
        m = FILE_RESULT_NA.match(line)
        if m:
            missing[m.group(1)] = "errno %s" % m.group(2)
    return figures, missing


def icount_on_ours(o, env, tree, args):
    """One run of ours under -icount shift=0: tools/qemu-run (run-elf's QEMU setup) with the
    pinned kernel and the boot modules run-elf would make for `--root tree` (the root archive
    and the launch record, tools/initramfs.py); its stdout, or None without a pinned kernel."""
    if "RUN_ELF_KERNEL" not in env:
        return None
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import initramfs  # noqa: E402
    import tempfile
    archive = initramfs.Archive()
    archive.tree(tree)
    argv = [FILE_BENCH_IN_TREE] + args
    with tempfile.TemporaryDirectory(prefix="file-bench-") as scratch:
        modules = []
        for name, data in (("root.cpio", archive.bytes()),
                           ("launch", initramfs.launch_record(FILE_BENCH_IN_TREE, argv, b""))):
            modules.append(os.path.join(scratch, name))
            with open(modules[-1], "wb") as f:
                f.write(data)
        qemu_run = [os.path.join(ROOT, "tools", "qemu-run"), "--timeout", str(int(o.timeout)),
                    "--image", env["RUN_ELF_KERNEL"], "--", "-icount", "shift=0", "-initrd"]
        return run_once(qemu_run, {}, ",".join(modules), [], o.timeout)


def file_runs(o, sides, tables):
    """{"wall"|"instr": {side: [(figures, missing, status), ...]}} from file-bench, every run
    with --root FILE_TREE (both kernels the same tree), or None when the table is not wanted
    or the binary is missing."""
    if "file" not in tables:
        return None
    if not os.path.exists(o.file_binary):
        sys.stderr.write("compare: %s is missing: no file table\n" % o.file_binary)
        return None
    tree = file_tree(o)
    if tree is None:
        return None
    runs = o.file_runs
    out = {"wall": {side: [] for side, _, _ in sides}, "instr": {side: [] for side, _, _ in sides}}
    for kind, count, mib in (("wall", max(1, runs), o.file_mib),
                             ("instr", o.file_icount_runs, o.file_icount_mib)):
        args = [str(mib), str(o.reps), str(o.file_exec_reps), "all"] + FILE_EXEC
        for i in range(count):
            for side, runner, env in sides:
                sys.stderr.write("compare: file %s run %d/%d on %s\n" % (kind, i + 1, count, side))
                if side == "linux":
                    runner = ["tools/run-linux", "--thp", "never"]
                    env = dict(env, RUN_LINUX_ICOUNT="1") if kind == "instr" else env
                if kind == "instr" and side == "ours":
                    r = icount_on_ours(o, env, tree, args)
                    if r is None:
                        continue
                else:
                    r = run_once(runner + ["--root", tree], env, FILE_BENCH_IN_TREE, args,
                                 o.timeout)
                figures, missing = parse_file_output(r[4])
                out[kind][side].append((figures, missing, r[3]))
    return out


def print_file_table(o, files, have_ours, ours):
    """The file table: per case the median over runs of each run's median repetition."""
    wall, instr = files["wall"], files["instr"]
    print()
    print("file-bench (issue 11 §5), Linux 6.1 with transparent_hugepage=never; %d wall run(s) "
          "per kernel, %d MiB file x %d reps, exec x %d (%s, warm, from a Debian root tree); "
          "%d -icount run(s) at %d MiB" % (
              len(wall["linux"]), o.file_mib, o.reps, o.file_exec_reps, " ".join(FILE_EXEC),
              len(instr["linux"]), o.file_icount_mib))
    print("ratio = Linux time / ours (>1: ours faster; for MiB/s ours / Linux); target >= %.1f; "
          "flt = ru_minflt per unit (wall runs)" % FILE_TARGET)
    print()
    rows = []
    for case, unit, convert, instr_unit in FILE_CASES:
        def raw(runs, side, k=0):
            return [f[case][k] for f, _, _ in runs.get(side, []) if case in f]
        lx, ou = med(raw(wall, "linux")), med(raw(wall, "ours"))
        li, oi = med(raw(instr, "linux")), med(raw(instr, "ours"))
        ratio = lx / ou if lx and ou else None
        iratio = li / oi if li and oi else None
        digits = 2 if unit == "ms" else 0
        met = "" if ratio is None else ("met" if ratio >= FILE_TARGET else "missed")
        rows.append([case, unit, fmt(convert(lx) if lx else None, digits),
                     fmt(convert(ou) if ou else None, digits), fmt(ratio, 2), met,
                     instr_unit, fmt(li), fmt(oi), fmt(iratio, 2),
                     fmt(med(raw(wall, "linux", 1)), 3), fmt(med(raw(wall, "ours", 1)), 3),
                     spread_of([convert(v) for v in raw(wall, "linux")], digits),
                     spread_of([convert(v) for v in raw(wall, "ours")], digits)])
    print_table(["case", "unit", "Linux", "ours", "ratio", "target", "instr", "Linux in",
                 "ours in", "ratio", "L flt", "O flt", "Linux range", "ours range"], rows,
                left=2)
    for kind, runs in (("wall", wall), ("-icount", instr)):
        for side in runs:
            failed = [status for _, _, status in runs[side] if status != 0]
            missing = sorted({"%s (%s)" % (c, why) for _, m, _ in runs[side]
                              for c, why in m.items()})
            if failed:
                print("NOTE: %s: %d of %d %s file runs exited non-zero (status %s)" % (
                    side, len(failed), len(runs[side]), kind, ", ".join(map(str, failed))))
            if missing:
                print("NOTE: %s could not run (%s): %s" % (side, kind, ", ".join(missing)))
    if not have_ours:
        print("ours: n/a - %s does not exist" % ours[0])


if __name__ == "__main__":
    main()
