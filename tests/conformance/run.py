#!/usr/bin/env python3
"""Run the conformance suites (written by others, extracted from Debian's linux-source-6.1 at
build time) through one or two runners and print a per-case comparison table.

    tests/conformance/run.py [--build DIR] [--suite NAME]... [--markdown]
                             [--linux-runner CMD] [--ours-runner CMD]

Runners follow the tools/run-elf contract: `RUNNER PROGRAM [ARGS...]`, stdout is the program's
output, the exit status is the program's (128+N when signal N killed it, 139 for SIGSEGV).
The Linux runner is tools/run-linux; ours is tools/run-elf, used when it exists.

Exit status: 0 when every case that must match does; 1 otherwise; 2 when a suite could not run.
What must match (issue 5):
  * Linux itself passes every case it does not skip (the baseline is sane);
  * ours: every map_fixed_noreplace case, and every nolibc-test memory case (brk, sbrk, and mmap /
    munmap where the suite has them) gets Linux's verdict.
Other nolibc-test differences are listed, with the reason from known-differences.txt when one is
recorded there, but do not fail the run.

Raw outputs are kept in DIR/<suite>.<runner>.out.
"""

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))

OK, FAIL, SKIP, MISSING = "OK", "FAIL", "SKIPPED", "not run"


class Case:
    def __init__(self, key, verdict, detail="", memory=False):
        self.key, self.verdict, self.detail, self.memory = key, verdict, detail, memory

    def __repr__(self):
        return "Case(%r, %r, %r)" % (self.key, self.verdict, self.detail)


# ---------------------------------------------------------------- nolibc-test

NOLIBC_LINE = re.compile(r"^(\d+) (\S+?)(?: = (.*?))?\s*\[(OK|FAIL|SKIPPED)\]\s*$")
NOLIBC_GROUP = re.compile(r"^Running test '(\w+)'")
NOLIBC_MEMORY = re.compile(r"^(s?brk|mmap\w*|munmap\w*|mremap\w*|mprotect\w*)$")


def parse_nolibc(output):
    """One Case per printed test line; key "group/number name" (numbers are the suite's own and
    are unique within a group, names are not)."""
    cases, group = [], "?"
    for line in output.splitlines():
        m = NOLIBC_GROUP.match(line)
        if m:
            group = m.group(1)
            continue
        m = NOLIBC_LINE.match(line.rstrip("\r"))
        if m:
            num, name, value, verdict = m.groups()
            cases.append(Case("%s/%s %s" % (group, num, name), verdict, (value or "").strip(),
                              memory=bool(NOLIBC_MEMORY.match(name))))
    return cases


# ---------------------------------------------------------------- map_fixed_noreplace

# The 6.1 program prints one line per step and stops at the first unexpected result. Our case
# list mirrors its steps; each mmap step is held to Linux's answer: success means the mapping
# is placed exactly at the requested address, refusal means MAP_FAILED with errno EEXIST
# ("File exists" from musl's %m).
MFN_STEPS = [
    ("1 map 5 pages (base..+5)", "map"),
    ("2 unmap them", "unmap"),
    ("3 map 3 pages (+1..+4)", "map"),
    ("4 refuse same 5 pages again", "refuse"),
    ("5 refuse 1 page inside (+2)", "refuse"),
    ("6 refuse overlap of the end (+3..+5)", "refuse"),
    ("7 refuse overlap of the start (base..+2)", "refuse"),
    ("8 map adjacent below (base..+1)", "map"),
    ("9 map adjacent above (+4..+5)", "map"),
    ("10 unmap all 5 pages", "unmap"),
]
MFN_MMAP = re.compile(r"^mmap\(\) @ 0x([0-9a-f]+)-0x([0-9a-f]+) p=(\S+) result=(.*)$")
MFN_UNMAP = re.compile(r"^unmap\(\) successful")
MAP_FAILED = "0xffffffffffffffff"


def parse_map_fixed(output):
    steps = []
    for line in output.splitlines():
        line = line.rstrip("\r")
        m = MFN_MMAP.match(line)
        if m:
            steps.append(("map", m.groups()))
        elif MFN_UNMAP.match(line):
            steps.append(("unmap", None))
    cases = []
    for i, (name, kind) in enumerate(MFN_STEPS):
        if i >= len(steps):
            cases.append(Case(name, MISSING, "", memory=True))
            continue
        got_kind, g = steps[i]
        if kind == "unmap":
            verdict = OK if got_kind == "unmap" else FAIL
            cases.append(Case(name, verdict, "" if verdict == OK else "unexpected output",
                              memory=True))
            continue
        if got_kind != "map":
            cases.append(Case(name, FAIL, "unexpected output", memory=True))
            continue
        start, _end, p, result = g
        if kind == "map":
            good = p != MAP_FAILED and int(p, 16) == int(start, 16)
            detail = "" if good else "p=%s %s" % (p, result)
        else:
            good = p == MAP_FAILED and result.strip() == "File exists"
            detail = "" if good else "p=%s %s" % (p, result)
        cases.append(Case(name, OK if good else FAIL, detail, memory=True))
    done = any(l.rstrip("\r") == "OK" for l in output.splitlines())
    cases.append(Case("11 prints OK", OK if done else (MISSING if len(steps) < len(MFN_STEPS)
                                                       else FAIL), "", memory=True))
    return cases


SUITES = {
    "map_fixed_noreplace": ("map_fixed_noreplace", [], parse_map_fixed),
    "nolibc-test": ("nolibc-test", [], parse_nolibc),
}


# ---------------------------------------------------------------- running

def run_suite(runner, binary, args, out_path, timeout=600):
    """Returns (status, output)."""
    try:
        r = subprocess.run(runner + [binary] + args, cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=timeout)
        status, out, err = r.returncode, r.stdout.decode(errors="replace"), \
            r.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        status, out, err = 124, (e.stdout or b"").decode(errors="replace"), "harness timeout"
    with open(out_path, "w") as f:
        f.write(out)
        f.write("\n--- runner stderr ---\n%s\n--- exit status %d ---\n" % (err, status))
    return status, out


def load_known_differences():
    known = {}
    path = os.path.join(HERE, "known-differences.txt")
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if not line or line.startswith("#") or ":" not in line:
                continue
            # "SUITE CASE-KEY: reason", e.g. "nolibc-test syscall/29 execve_root: no VFS yet"
            key, reason = line.split(":", 1)
            known[key.strip()] = reason.strip()
    return known


def verdict_text(case, status):
    if case is None:
        return MISSING
    return case.verdict + (" (%s)" % case.detail if case.verdict != OK and case.detail else "")


def compare(suite, linux, ours, known):
    """Returns (rows, problems). linux/ours: (status, cases) or None."""
    rows, problems = [], []
    lc = {c.key: c for c in linux[1]} if linux else {}
    oc = {c.key: c for c in ours[1]} if ours else {}
    keys = list(lc) + [k for k in oc if k not in lc]
    for k in keys:
        l, o = lc.get(k), oc.get(k)
        memory = (l or o).memory
        note = ""
        if l and l.verdict == FAIL:
            problems.append("%s %s: fails on Linux" % (suite, k))
        if ours is not None:
            lv = l.verdict if l else MISSING
            ov = o.verdict if o else MISSING
            if lv != ov:
                reason = known.get("%s %s" % (suite, k))
                if memory:
                    problems.append("%s %s: Linux %s, ours %s" % (suite, k, lv, ov))
                    note = "MEMORY CASE DIFFERS"
                else:
                    note = "differs: " + (reason or "no reason recorded")
        rows.append((k, verdict_text(l, None) if linux else "n/a",
                     verdict_text(o, None) if ours else "n/a", note))
    return rows, problems


def print_table(suite, rows, statuses, markdown):
    head = ("case", "Linux", "ours", "note")
    if markdown:
        print("\n#### %s (exit status: Linux %s, ours %s)\n" % (suite, *statuses))
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for r in rows:
            print("| " + " | ".join(x.replace("|", "\\|") for x in r) + " |")
        return
    w = [max(len(head[i]), *(len(r[i]) for r in rows)) if rows else len(head[i])
         for i in range(3)]
    print("\n== %s (exit status: Linux %s, ours %s)" % (suite, *statuses))
    fmt = "%-{}s  %-{}s  %-{}s  %s".format(*w)
    print(fmt % head)
    print("-" * (sum(w) + 10))
    for r in rows:
        print(fmt % r)


def summary(cases):
    n = {OK: 0, FAIL: 0, SKIP: 0, MISSING: 0}
    for c in cases:
        n[c.verdict] = n.get(c.verdict, 0) + 1
    return "%d ok, %d fail, %d skipped, %d not run" % (n[OK], n[FAIL], n[SKIP], n[MISSING])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "conformance"))
    ap.add_argument("--suite", action="append", choices=sorted(SUITES))
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--linux-runner", default="tools/run-linux")
    ap.add_argument("--ours-runner", default="tools/run-elf")
    ap.add_argument("--no-linux", action="store_true", help="run only ours")
    o = ap.parse_args()

    linux_runner = None if o.no_linux else o.linux_runner.split()
    ours_runner = o.ours_runner.split()
    if not os.access(os.path.join(ROOT, ours_runner[0]), os.X_OK):
        ours_runner = None
    known = load_known_differences()
    failed, broken = [], False
    stale = set()
    for suite in o.suite or ["map_fixed_noreplace", "nolibc-test"]:
        binary, args, parse = SUITES[suite]
        path = os.path.join(o.build, binary)
        if not os.path.exists(path):
            sys.stderr.write("run.py: %s missing: run `make conformance-build`\n" % path)
            return 2
        results = {}
        for side, runner in (("linux", linux_runner), ("ours", ours_runner)):
            if runner is None:
                results[side] = None
                continue
            sys.stderr.write("run.py: %s on %s\n" % (suite, side))
            status, out = run_suite(runner, path, args,
                                    os.path.join(o.build, "%s.%s.out" % (suite, side)))
            cases = parse(out)
            results[side] = (status, cases)
            if not cases:
                broken = True
                failed.append("%s produced no cases on %s (status %d)" % (suite, side, status))
        rows, problems = compare(suite, results["linux"], results["ours"], known)
        if results["linux"] and results["ours"]:
            differing = {"%s %s" % (suite, r[0]) for r in rows if r[3]}
            stale |= {k for k in known if k.startswith(suite + " ") and k not in differing}
        statuses = tuple(str(results[s][0]) if results[s] else "n/a" for s in ("linux", "ours"))
        print_table(suite, rows, statuses, o.markdown)
        for side in ("linux", "ours"):
            if results[side]:
                print("%s on %s: %s" % (suite, side, summary(results[side][1])))
        failed += problems
    if ours_runner is not None and stale:
        print("\nknown-differences.txt entries whose case now matches Linux (can go):\n  "
              + "\n  ".join(sorted(stale)))
    if ours_runner is None:
        print("\nours: n/a — tools/run-elf does not exist yet (no process support in our kernel)")
    if failed:
        print("\nMUST-MATCH FAILURES:\n  " + "\n  ".join(failed))
        return 2 if broken else 1
    print("\nconformance: every must-match case matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
