"""Linux 6.1's own selftests (futex, sigaltstack, x86 signals), built static from Debian's
linux-source-6.1 and run on both kernels in one boot each; shared by tools/build-selftests,
tools/selftest-table and tests/system/test_linux_selftests.py.

Nothing from the kernel tree is committed: the tarball is fetched with `apt-get download
linux-source-6.1` into .cache/linux-source/ (the same place `make conformance` keeps it, so one
download serves both; /usr/src/linux-source-6.1.tar.xz is used when the package is installed),
only the paths below are extracted, into build/selftests/src/, and the binaries land in
build/selftests/root/ (both git-ignored).

A run is `selftest-batch` (tools/selftest-batch.c) started as the only program of a --root tree
holding every binary: it runs them one after another with a per-program timeout and frames each
one's output with markers, so each kernel is booted once for the whole suite.

Verdicts, per case (`program/case` keys):
- kselftest TAP (futex, sas): `ok N text` PASS, `not ok N text` FAIL, `# SKIP` SKIP, `# XFAIL`
  XFAIL, `# error` ERROR; the key is `N` (the text often says how the case ended). Cases the plan (`1..N`) announces but the
  program never reported are `not run`.
- the x86 tests' own format: each `[RUN]\ttext` starts a case keyed `N text` (N counting
  segment selectors in the text written `#`, since they are the kernel's GDT layout; a text
  seen again gets ` #2`...); its verdict is the next `[OK]` PASS / `[FAIL]` FAIL / `[SKIP]`
  SKIP; a [RUN] with none is `no verdict`. A verdict line with no open [RUN] case (a second
  one, or a program without [RUN] lines) is a case of its own, keyed by its text.
- every program also has the case `exit`: `status N` (128 + N for signal N, `timeout`).
"""

import glob
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".cache", "linux-source")
BUILD = os.path.join(ROOT, "build", "selftests")
SOURCE = os.path.join(BUILD, "src")
TREE = os.path.join(BUILD, "root")
BATCH_SOURCE = os.path.join(ROOT, "tools", "selftest-batch.c")
SELFTESTS = "tools/testing/selftests"
PACKAGE = "linux-source-6.1"
INSTALLED_TARBALL = "/usr/src/linux-source-6.1.tar.xz"
TARBALL_IN_PACKAGE = "./usr/src/linux-source-6.1.tar.xz"

# Seconds one program may run before selftest-batch kills it (Linux's slowest here, futex_
# requeue_pi_signal_restart, takes ~1 s; a program that waits for a wake-up our kernel never
# sends would otherwise hold the whole batch).
PROGRAM_TIMEOUT = 20

EXTRACTED = [
    f"{SELFTESTS}/kselftest.h",
    f"{SELFTESTS}/futex/include/*",
    f"{SELFTESTS}/futex/functional/*.c",
    f"{SELFTESTS}/sigaltstack/*",
    f"{SELFTESTS}/x86/*.c",
    f"{SELFTESTS}/x86/*.h",
    f"{SELFTESTS}/x86/*.S",
    "arch/x86/include/asm/desc_defs.h",  # sigreturn.c includes it by a relative path
]

FUTEX_FLAGS = ["-g", "-O2", "-Wall", "-D_GNU_SOURCE=", "-pthread", "-I../include", "-I../../"]
FUTEX_LIBS = ["-lpthread", "-lrt"]
# As x86/Makefile builds its _64 binaries, without -DCAN_BUILD_32: our kernel has no 32-bit
# system-call entry (int $0x80, ia32 compat), so the suites' 32-bit sub-cases are left out.
X86_FLAGS = ["-O2", "-g", "-std=gnu99", "-pthread", "-Wall", "-no-pie"]

# Program name -> (directory under selftests, sources, flags, libraries[, compiler]).
PROGRAMS = {}
for _name in ["futex_wait_timeout", "futex_wait_wouldblock", "futex_requeue_pi",
              "futex_requeue_pi_signal_restart", "futex_requeue_pi_mismatched_ops",
              "futex_wait_uninitialized_heap", "futex_wait_private_mapped_file", "futex_wait",
              "futex_requeue", "futex_waitv"]:
    PROGRAMS[_name] = ("futex/functional", [_name + ".c"], FUTEX_FLAGS, FUTEX_LIBS)
# The same futex tests linked with musl as well (its pthread_create calls clone, glibc's tries
# clone3 first), those that build with it: musl's headers lack __NR_futex_waitv (futex_waitv,
# futex_wait_timeout, futex_wait_wouldblock) and <error.h> (sas). musl-gcc has no kernel
# headers of its own: <linux/futex.h> comes from the system's, after musl's.
MUSL_KERNEL_HEADERS = ["-idirafter", "/usr/include", "-idirafter", "/usr/include/x86_64-linux-gnu"]
for _name in ["futex_requeue_pi", "futex_requeue_pi_signal_restart",
              "futex_requeue_pi_mismatched_ops", "futex_wait_uninitialized_heap",
              "futex_wait_private_mapped_file", "futex_wait", "futex_requeue"]:
    PROGRAMS[_name + ".musl"] = ("futex/functional", [_name + ".c"],
                                 FUTEX_FLAGS + MUSL_KERNEL_HEADERS, FUTEX_LIBS, "musl-gcc")
PROGRAMS["sas"] = ("sigaltstack", ["sas.c"], ["-Wall"], [])
# The x86 tests that apply to a 64-bit kernel with signals and threads but without ptrace,
# LDT, I/O ports, vsyscall or 32-bit entry (see X86_LEFT_OUT for the others and why).
for _name in ["single_step_syscall", "syscall_nt", "sigtrap_loop", "sigreturn", "sigaltstack",
              "syscall_arg_fault", "sysret_rip", "corrupt_xstate_header", "test_mremap_vdso"]:
    PROGRAMS[_name + "_64"] = ("x86", [_name + ".c"], X86_FLAGS, ["-lrt", "-ldl"])
# A custom entry point that checks the registers execve leaves (x86/Makefile: -Wl,-ereal_start).
PROGRAMS["check_initial_reg_state_64"] = ("x86", ["check_initial_reg_state.c"],
                                          X86_FLAGS + ["-Wl,-ereal_start"], [])

X86_LEFT_OUT = {
    "sysret_ss_attrs": "a thread spins on the CPU while main sleeps 1,000 times: on one CPU each "
    "sleep waits out the spinner's time slice, more than 20 s on Linux itself under TCG",
    "mov_ss_trap": "sets hardware breakpoints through ptrace(PTRACE_POKEUSER, u_debugreg)",
    "fsgsbase": "ptrace of FS/GS bases and modify_ldt",
    "fsgsbase_restore": "ptrace and modify_ldt",
    "syscall_numbering": "ptrace of every system call, x32 numbers",
    "ptrace_syscall": "ptrace; needs a 32-bit build",
    "ldt_gdt": "modify_ldt and 32-bit code",
    "iopl": "I/O privilege level (iopl); no port I/O for programs here",
    "ioperm": "I/O permission bitmap (ioperm)",
    "test_vsyscall": "the legacy vsyscall page and /proc/self/maps",
    "amx": "AMX tile state: not in QEMU TCG's CPU model, arch_prctl(ARCH_REQ_XCOMP_PERM)",
    "entry_from_vm86, test_syscall_vdso, unwind_vdso, test_FCMOV, test_FCOMI, test_FISTTP, "
    "vdso_restorer": "32-bit only (no ia32 entry on our kernel)",
}

# The runs, in order: (key, program, arguments). futex_requeue_pi also runs with run.sh's
# argument sets that have no long timeout (broadcast, locked, owner).
RUNS = [(name, name, []) for name in PROGRAMS]
_requeue_at = [r[0] for r in RUNS].index("futex_requeue_pi") + 1
RUNS[_requeue_at:_requeue_at] = [
    ("futex_requeue_pi " + " ".join(args), "futex_requeue_pi", args)
    for args in (["-b"], ["-b", "-l"], ["-b", "-o"], ["-l"], ["-o"], ["-b", "-l", "-t", "5000"])
]


class Unavailable(Exception):
    """The suite cannot be built here (no package source, no compiler): skip, do not fail."""


# ---------------------------------------------------------------- fetching and building

def tarball():
    """linux-source-6.1's tarball: installed, cached, or fetched with apt-get download."""
    if os.path.isfile(INSTALLED_TARBALL):
        return INSTALLED_TARBALL
    cached = os.path.join(CACHE, TARBALL_IN_PACKAGE)
    if os.path.isfile(cached):
        return cached
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        raise Unavailable(f"{PACKAGE}: no apt-get / dpkg-deb to fetch it")
    os.makedirs(CACHE, exist_ok=True)
    debs = sorted(glob.glob(os.path.join(CACHE, f"{PACKAGE}_*.deb")))
    if not debs:
        sys.stderr.write(f"build-selftests: apt-get download {PACKAGE} (about 140 MB)\n")
        fetched = subprocess.run(["apt-get", "download", PACKAGE], cwd=CACHE,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        debs = sorted(glob.glob(os.path.join(CACHE, f"{PACKAGE}_*.deb")))
        if fetched.returncode != 0 or not debs:
            raise Unavailable(f"{PACKAGE} could not be fetched: "
                              + fetched.stdout.decode(errors="replace")[-300:])
    unpack = subprocess.run(f"dpkg-deb --fsys-tarfile '{debs[-1]}' | tar -x -C '{CACHE}' "
                            f"{TARBALL_IN_PACKAGE}", shell=True, timeout=300)
    if unpack.returncode != 0 or not os.path.isfile(cached):
        raise Unavailable(f"{debs[-1]}: no {TARBALL_IN_PACKAGE} inside")
    return cached


def extract():
    """The selftest sources in build/selftests/src (one pass over the tarball, ~20 s)."""
    stamp = os.path.join(SOURCE, ".extracted")
    wanted = "\n".join(EXTRACTED) + "\n"
    if os.path.isfile(stamp) and open(stamp).read() == wanted:
        return
    archive = tarball()
    sys.stderr.write(f"build-selftests: extracting the selftests from {archive}\n")
    temporary = SOURCE + ".tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    os.makedirs(temporary)
    subprocess.run(["tar", "-xJf", archive, "-C", temporary, "--strip-components=1",
                    "--wildcards"] + ["*/" + pattern for pattern in EXTRACTED],
                   check=True, timeout=600)
    with open(os.path.join(temporary, ".extracted"), "w") as f:
        f.write(wanted)
    shutil.rmtree(SOURCE, ignore_errors=True)
    os.rename(temporary, SOURCE)


def compile_static(output, sources, flags, libraries, cwd, compiler="gcc"):
    """Builds one static binary unless it is newer than its sources."""
    paths = [os.path.join(cwd, s) for s in sources]
    if os.path.exists(output) and all(os.path.getmtime(output) >= os.path.getmtime(p)
                                      for p in paths):
        return
    command = [compiler, "-static"] + flags + ["-o", output + ".tmp"] + sources + libraries
    built = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=300)
    if built.returncode != 0:
        raise RuntimeError(" ".join(command) + "\n" + built.stdout.decode(errors="replace"))
    os.rename(output + ".tmp", output)


def build():
    """Extracts and builds everything into build/selftests/root; returns the tree."""
    if not shutil.which("gcc"):
        raise Unavailable("no gcc to build the selftests")
    extract()
    os.makedirs(os.path.join(TREE, "t"), exist_ok=True)
    os.makedirs(os.path.join(TREE, "bin"), exist_ok=True)
    batch_compiler = "musl-gcc" if shutil.which("musl-gcc") else "gcc"
    compile_static(os.path.join(TREE, "bin", "selftest-batch"), [BATCH_SOURCE],
                   ["-O2", "-Wall"], [], ROOT, batch_compiler)
    for name, (directory, sources, flags, libraries, *compiler) in PROGRAMS.items():
        if compiler and not shutil.which(compiler[0]):
            raise Unavailable(f"no {compiler[0]} to build {name}")
        compile_static(os.path.join(TREE, "t", name), sources, flags, libraries,
                       os.path.join(SOURCE, SELFTESTS, directory), *compiler)
    return TREE


# ---------------------------------------------------------------- running

def batch_arguments(runs=RUNS):
    """selftest-batch's argv (after its path) for `runs`."""
    words = [str(PROGRAM_TIMEOUT)]
    for _, program, args in runs:
        words += ["--", "/t/" + program] + args
    return words


def run_batch(kernel, runs=RUNS, timeout=600, our_image=None):
    """Boots `kernel` ("ours" or "linux") once with the whole batch; returns (key -> (the
    program's output, its status), the runner's exit status, its stdout, its stderr).
    `our_image` is the kernel image run-elf boots (RUN_ELF_KERNEL), else its fresh build."""
    tool = {"ours": "run-elf", "linux": "run-linux"}[kernel]
    environment = dict(os.environ)
    if our_image:
        environment["RUN_ELF_KERNEL"] = our_image
    environment.setdefault("RUN_ELF_TIMEOUT", str(timeout))
    environment.setdefault("RUN_LINUX_TIMEOUT", str(timeout))
    completed = subprocess.run(
        [os.path.join(ROOT, "tools", tool), "--root", TREE, "/bin/selftest-batch"]
        + batch_arguments(runs), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, env=environment, timeout=timeout + 60)
    output = completed.stdout.decode("utf-8", "replace")
    return split_batch(output, runs), completed.returncode, output, \
        completed.stderr.decode("utf-8", "replace")


BEGIN = re.compile(r"\n?@@SELFTEST-BEGIN (\d+)@@\n")
END = re.compile(r"\n?@@SELFTEST-END (\d+) (\S+)@@\n")


def split_batch(output, runs=RUNS):
    """key -> (the program's output, its status word); a program the batch never finished
    (the kernel stopped the batch) has status `batch ended`; never started: absent."""
    result = {}
    for begin in BEGIN.finditer(output):
        index = int(begin.group(1))
        if index >= len(runs):
            continue
        rest = output[begin.end():]
        end = END.search(rest)
        if end and int(end.group(1)) == index:
            result[runs[index][0]] = (rest[:end.start()], end.group(2))
        else:
            following = BEGIN.search(rest)
            result[runs[index][0]] = (rest[:following.start()] if following else rest,
                                      "batch ended")
    return result


# ---------------------------------------------------------------- verdicts

# The plan may follow a message the program left without its line feed ("...failed1..1").
TAP_PLAN = re.compile(r"(?:^|[^0-9.])1\.\.(\d+)\s*$")
TAP_RESULT = re.compile(r"^(not ok|ok) (\d+) ?(# (SKIP|XFAIL|error) ?)?(.*)$")
X86_RUN = re.compile(r"^\[RUN\]\s*(.*)$")
X86_VERDICT = re.compile(r"^\[(OK|FAIL|SKIP)\]\s*(.*)$")
# A segment selector in parentheses, "(23)" or "(2b, GDT)": the kernel's GDT layout, not the case.
SELECTOR = re.compile(r"\((?:0x)?[0-9a-f]+\b")


def normalized(text):
    """A case's text with its segment selectors written `#`."""
    return SELECTOR.sub("(#", text.strip())


def tap_verdicts(text):
    """Per-case (verdict, description) of kselftest TAP output keyed by the case number (the
    description may say how it failed), or None when the output has no TAP plan."""
    verdicts = {}
    plan = None
    for line in text.splitlines():
        m = TAP_PLAN.search(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = TAP_RESULT.match(line)
        if m:
            directive = m.group(4)
            if directive == "SKIP":
                verdict = "SKIP"
            elif directive == "XFAIL":
                verdict = "XFAIL"
            elif directive == "error":
                verdict = "ERROR"
            else:
                verdict = "PASS" if m.group(1) == "ok" else "FAIL"
            verdicts[m.group(2)] = (verdict, m.group(5).strip())
    if plan is None:
        return None
    for number in range(1, plan + 1):
        verdicts.setdefault(str(number), ("not run", "announced by the plan, never reported"))
    return verdicts


def x86_verdicts(text):
    """Per-case (verdict, description) of the x86 tests' [RUN] / [OK] / [FAIL] / [SKIP] lines:
    a verdict line belongs to the [RUN] before it if that case has none yet, else it is a case
    of its own keyed by its text; a text seen again gets ` #2`, ` #3`..."""
    verdicts = {}
    seen = {}
    current = None

    def new_case(text, verdict, description):
        text = normalized(text)
        seen[text] = seen.get(text, 0) + 1
        key = text if seen[text] == 1 else f"{text} #{seen[text]}"
        verdicts[key] = (verdict, description)
        return key

    for line in text.splitlines():
        m = X86_RUN.match(line)
        if m:
            current = new_case(m.group(1), "no verdict", "")
            continue
        m = X86_VERDICT.match(line)
        if not m:
            continue
        verdict = {"OK": "PASS", "FAIL": "FAIL", "SKIP": "SKIP"}[m.group(1)]
        if current is not None and verdicts[current][0] == "no verdict":
            verdicts[current] = (verdict, m.group(2).strip())
        else:
            new_case(m.group(2), verdict, "")
    return verdicts


def verdicts(text, status):
    """One program's per-case (verdict, description), including `exit`."""
    result = tap_verdicts(text)
    if result is None:
        result = x86_verdicts(text)
    result["exit"] = (status if not status.isdigit() else f"status {status}", "")
    return result


def suite_verdicts(batch):
    """`program/case` -> (verdict, description) over the whole batch (split_batch's result)."""
    result = {}
    for key, _, _ in RUNS:
        if key not in batch:
            result[f"{key}/exit"] = ("not started", "")
            continue
        text, status = batch[key]
        for case, verdict in verdicts(text, status).items():
            result[f"{key}/{case}"] = verdict
    return result


# ---------------------------------------------------------------- tables

def read_table(path):
    """A checked-in table: `CASE-KEY<TAB>VERDICT` lines or `CASE-KEY<TAB>REASON`; # comments."""
    table = {}
    if not os.path.exists(path):
        return table
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition("\t")
        table[key] = value.strip()
    return table


def compare(linux, ours):
    """Rows (key, linux verdict, our verdict) over the union of keys, Linux's order first;
    a case one side never printed is `missing` there."""
    keys = list(linux) + [k for k in ours if k not in linux]
    return [(k, linux.get(k, "missing"), ours.get(k, "missing")) for k in keys]


LINUX_VERDICTS = os.path.join(ROOT, "tests", "system", "selftest_linux_verdicts.txt")
DIFFERENCES = os.path.join(ROOT, "tests", "system", "selftest_differences.txt")


def read_linux_verdicts(path=LINUX_VERDICTS):
    """The recorded Linux verdicts: key -> (verdict, description); `A|B` = either was seen."""
    return {key: tuple((value.split("\t", 1) + [""])[:2])
            for key, value in read_table(path).items()}


def write_linux_verdicts(runs_of_verdicts, path=LINUX_VERDICTS, header=""):
    """Records Linux's verdicts over several runs; a case whose verdict varied gets all (and
    `missing` if some run did not print it)."""
    merged = {}
    for verdicts in runs_of_verdicts:
        for key, (verdict, description) in verdicts.items():
            seen, first_description = merged.get(key, ([], description))
            if verdict not in seen:
                seen.append(verdict)
            merged[key] = (seen, first_description)
    # A case some boots did not print at all (a failing run that reports an extra case)
    for key, (seen, _) in merged.items():
        if any(key not in verdicts for verdicts in runs_of_verdicts) and "missing" not in seen:
            seen.append("missing")
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        for key, (seen, description) in merged.items():
            f.write(f"{key}\t{'|'.join(seen)}\t{description}\n")


def matches(linux_verdict, our_verdict):
    """Whether ours is (one of) Linux's."""
    return our_verdict in linux_verdict.split("|")


def comparison(linux, ours, differences):
    """Rows (key, Linux verdict, our verdict, our description, listed reason or None) over the
    union of keys, and the two lists a test fails on: unlisted differences, listed cases that
    no longer differ."""
    keys = list(linux) + [k for k in ours if k not in linux]
    rows, unlisted = [], []
    for key in keys:
        linux_verdict = linux.get(key, ("missing", ""))[0]
        our_verdict, our_description = ours.get(key, ("missing", ""))
        reason = differences.get(key)
        rows.append((key, linux_verdict, our_verdict, our_description, reason))
        if not matches(linux_verdict, our_verdict) and reason is None:
            unlisted.append(key)
    differing = {row[0] for row in rows if not matches(row[1], row[2])}
    stale = [key for key in differences if key not in differing]
    return rows, unlisted, stale
