#!/usr/bin/env python3
"""Issue 12's swap benchmark, Linux 6.1 against our kernel in the same run (bench/swap-bench.c).

    python3 bench/swap-compare.py --binary build/bench/swap-bench [--runs N] [--memory 128M]
                                  [--swap 1G] [--mib MIB]

Each run boots Linux (tools/run-linux, swapon done by its init) and our kernel (tools/run-elf)
with the same RAM (RUN_ELF_MEMORY) and a fresh swap disk of the same size made with mkswap
(RUN_ELF_SWAP), alternately, so both see the same machine load. The working set is MIB MiB
(default: the benchmark's own 2.5 x MemTotal). The table gives, per phase, the median
ns/page of each kernel, Linux's time over ours (>= 1 means ours is at least as fast), and the
pages read from / written to swap (Linux: /proc/vmstat pswpin/pswpout; ours: the same lines
of our /proc/vmstat, from the kernel's counters).
"""
import argparse
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHASES = ["fill", "seq", "random", "forkcow"]
RUN_TIMEOUT_SECONDS = 1800


def run(tool, binary, memory, swap, mib):
    env = dict(os.environ, RUN_ELF_MEMORY=memory, RUN_ELF_SWAP=swap)
    command = [os.path.join(ROOT, "tools", tool)]
    if tool == "run-linux":
        command += ["--proc", "--thp", "never"]
    command += [binary] + ([str(mib)] if mib else [])
    result = subprocess.run(command, env=env, capture_output=True, text=True,
                            timeout=RUN_TIMEOUT_SECONDS)
    rows = {}
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) == 5 and fields[0] == "RESULT":
            rows[fields[1]] = (float(fields[2]), int(fields[3]), int(fields[4]))
    if result.returncode != 0 or set(rows) != set(PHASES):
        sys.exit(f"{tool} failed (status {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--memory", default="128M")
    parser.add_argument("--swap", default="1G")
    parser.add_argument("--mib", type=int, default=0)
    args = parser.parse_args()
    results = {"run-linux": [], "run-elf": []}
    for _ in range(args.runs):
        for tool in results:
            results[tool].append(run(tool, args.binary, args.memory, args.swap, args.mib))
    print(f"swap benchmark: RAM {args.memory}, swap {args.swap}, {args.runs} run(s) each, "
          "median ns/page; pages in/out of swap (first run)")
    print(f"{'phase':8} {'Linux':>10} {'ours':>10} {'Linux/ours':>10} {'Linux in/out':>16} "
          f"{'ours in/out':>16}")
    for phase in PHASES:
        linux = statistics.median(r[phase][0] for r in results["run-linux"])
        ours = statistics.median(r[phase][0] for r in results["run-elf"])
        _, linux_in, linux_out = results["run-linux"][0][phase]
        _, ours_in, ours_out = results["run-elf"][0][phase]
        print(f"{phase:8} {linux:10.0f} {ours:10.0f} {linux / ours:10.2f} "
              f"{linux_in:>7}/{linux_out:<8} {ours_in:>7}/{ours_out:<8}")


if __name__ == "__main__":
    main()
