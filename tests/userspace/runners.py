"""Runners: the ways a static test program can be run. A runner takes (program path, args) and
returns a Result (exit status, stdout). Tests are written once against this interface and run with
every available runner, so each expectation is checked on the host's Linux (proving it is Linux's
behaviour) and on our kernel.

* `native` runs the binary directly on this host with a timeout. A death by signal N is reported
  as 128 + N, the way a shell reports it: SIGSEGV gives 139.

* `kernel` is the hook for our kernel. It calls

      tools/run-elf PROGRAM ARGS...

  whose contract (issue 4, item 3) is: build the kernel if needed, boot it under QEMU (TCG, hard
  timeout) with that one program, stream the program's stdout and stderr, and exit with the
  program's exit status 0-255, or 139 when the kernel killed the program for a memory fault, or a
  distinct documented status (tools/run-elf: 124 timeout, 125 kernel failure — panic or a
  frame-accounting mismatch after the process —, 126 not loadable, 127 not found). Any status a
  test does not expect fails it, with the output shown, so every test also checks that the
  kernel survived and that its frame accounting returned to baseline. Whole kernel lines about the process (start, exit, kill)
  may be mixed into the output; the tests look for the program's key lines, never for an exact
  transcript. The runner is enabled only when tools/run-elf exists and is executable; nothing is
  ever faked in its absence.

* `linux` (opt-in) runs the program on Debian's Linux 6.1 under QEMU through tools/run-linux,
  the same QEMU machine as run-elf: the yardstick kernel, for when the host's Linux differs.

Selecting runners: the environment variable USERSPACE_RUNNERS is a comma-separated list
("native", "kernel", "linux"); unset or "auto" means native, plus kernel when tools/run-elf is
there. Asking for "kernel" when tools/run-elf is missing is an error, not a silent skip.
"""

import os
import resource
import signal
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGRAMS = os.path.join(ROOT, "build", "programs")
# USERSPACE_RUN_ELF names another executable with the same contract (e.g. a run-elf variant, or
# a wrapper used to test this harness); by default it is the repository's tools/run-elf.
RUN_ELF = os.environ.get("USERSPACE_RUN_ELF") or os.path.join(ROOT, "tools", "run-elf")

# How long one program may take. Natively every program finishes in well under a second; under
# QEMU TCG a boot plus the 64 MiB demand-paging run takes seconds, so the kernel gets more room.
NATIVE_TIMEOUT = 30
KERNEL_TIMEOUT = 240


class Result:
    """What one run produced: the exit status (0-255, 128+signal for a signal death) and stdout."""

    def __init__(self, status, stdout, runner, command, stderr=""):
        self.status = status
        self.stdout = stdout
        self.runner = runner
        self.command = command
        self.stderr = stderr  # diagnostics only (run-elf's and QEMU's messages); never asserted

    @property
    def lines(self):
        return self.stdout.splitlines()

    def __repr__(self):
        text = (f"Result(runner={self.runner}, status={self.status}, command={self.command})\n"
                f"--- stdout ---\n{self.stdout}--- end ---")
        if self.stderr.strip():
            text += f"\n--- stderr (last 2000 characters) ---\n{self.stderr[-2000:]}--- end ---"
        return text


class Runner:
    """The interface. `name` appears in test ids; `run` runs one program to completion."""

    name = "abstract"
    # True when this system may grant a writable private mapping far beyond RAM + swap
    # (Linux with vm.overcommit_memory = 1): errno_contract then skips its 1 TiB check.
    overcommit_always = False

    def run(self, program, args=(), timeout=None):
        raise NotImplementedError

    def kernel_targets(self):
        """[(label, address), ...]: where this system's kernel really lives, for the hostile
        programs that read, write and execute kernel memory (each must be killed with 139)."""
        return []

    def run_sequence(self, runs, timeout=None):
        """Runs [(program, args), ...] one after another and returns their Results. A runner that
        can run several programs in one system lifetime (one boot) should override this: the
        secret_write / secret_check pair means most when the second program runs on the same
        memory the first one just gave back."""
        return [self.run(program, args, timeout) for program, args in runs]


def _native_limits():
    # No core files from the hostile programs; a bounded stack so unbounded recursion ends in the
    # guard quickly whatever the caller's `ulimit -s` says.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    want = 8 * 1024 * 1024
    if hard != resource.RLIM_INFINITY and hard < want:
        want = hard
    resource.setrlimit(resource.RLIMIT_STACK, (want, hard))


class NativeRunner(Runner):
    """Runs the static binary directly on the host Linux."""

    name = "native"

    def __init__(self):
        try:
            with open("/proc/sys/vm/overcommit_memory") as f:
                self.overcommit_always = f.read().strip() == "1"
        except OSError:
            self.overcommit_always = False

    def kernel_targets(self):
        # Linux x86_64 with 4-level paging and without KASLR (with KASLR these may be unmapped,
        # which a user access cannot tell apart: it is killed either way).
        return [("kernel text", 0xffffffff81000000), ("direct map", 0xffff888000000000),
                ("vmalloc", 0xffffc90000000000), ("vmemmap", 0xffffea0000000000)]

    def run(self, program, args=(), timeout=None):
        command = [program, *args]
        completed = subprocess.run(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=timeout or NATIVE_TIMEOUT, preexec_fn=_native_limits, check=False)
        status = completed.returncode
        if status < 0:
            status = 128 + (-status)
        return Result(status, completed.stdout.decode("utf-8", "replace"), self.name, command,
                      completed.stderr.decode("utf-8", "replace"))


class KernelRunner(Runner):
    """Runs the program on our kernel through tools/run-elf (see the module docstring)."""

    name = "kernel"

    def kernel_targets(self):
        """USERSPACE_KERNEL_TARGETS (comma-separated addresses) when set; otherwise read from
        the kernel's symbols in build/kernel.elf (image start, bss, kernel_main), plus the
        kernel image seen through the direct map. Empty when neither is available."""
        env = os.environ.get("USERSPACE_KERNEL_TARGETS", "").strip()
        if env:
            return [(f"target {a.strip()}", int(a.strip(), 0)) for a in env.split(",") if a.strip()]
        try:
            out = subprocess.run(["nm", os.path.join(ROOT, "build", "kernel.elf")],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 timeout=30, check=False).stdout.decode()
        except (OSError, subprocess.TimeoutExpired):
            return []
        symbols = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3:
                symbols[parts[2]] = int(parts[0], 16)
        targets = []
        for label, symbol in [("kernel image", "__kernel_image_start"),
                              ("kernel bss", "__bss_start"), ("kernel_main", "kernel_main")]:
            if symbol in symbols:
                targets.append((label, symbols[symbol]))
        targets.append(("direct map of the kernel image", 0xffff800000100000))
        return targets

    def run(self, program, args=(), timeout=None):
        command = [RUN_ELF, program, *args]
        # run-elf has its own hard QEMU timeout; this one only guards against run-elf itself
        # hanging. stderr (build and QEMU chatter) is kept apart from the program's stdout.
        completed = subprocess.run(
            command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, timeout=(timeout or KERNEL_TIMEOUT) + 60, check=False)
        stdout = completed.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
        return Result(completed.returncode, stdout, self.name, command,
                      completed.stderr.decode("utf-8", "replace"))


RUN_LINUX = os.path.join(ROOT, "tools", "run-linux")


class LinuxQemuRunner(NativeRunner):
    """Runs the program as the only process on Debian's Linux 6.1 under QEMU TCG, the same
    machine tools/run-elf uses (tools/run-linux, same status contract: 128+N for signal N,
    124 timeout, 125 setup failure). The yardstick twin of the kernel runner; opt-in only
    (USERSPACE_RUNNERS=linux), as each run boots Linux (about 5 s)."""

    name = "linux"

    def __init__(self):
        self.overcommit_always = False  # the guest runs with Linux's default heuristic

    def run(self, program, args=(), timeout=None):
        command = [RUN_LINUX, "--proc", "--timeout", str(timeout or KERNEL_TIMEOUT), program, *args]
        completed = subprocess.run(
            command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, timeout=(timeout or KERNEL_TIMEOUT) + 60, check=False)
        stdout = completed.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
        return Result(completed.returncode, stdout, self.name, command,
                      completed.stderr.decode("utf-8", "replace"))


def run_elf_available():
    return os.path.isfile(RUN_ELF) and os.access(RUN_ELF, os.X_OK)


def selected_runners():
    """The runners to use, from USERSPACE_RUNNERS (see the module docstring)."""
    wanted = os.environ.get("USERSPACE_RUNNERS", "auto").strip() or "auto"
    if wanted == "auto":
        names = ["native"] + (["kernel"] if run_elf_available() else [])
    else:
        names = [n.strip() for n in wanted.split(",") if n.strip()]
    runners = []
    for n in names:
        if n == "native":
            runners.append(NativeRunner())
        elif n == "linux":
            if not os.access(RUN_LINUX, os.X_OK):
                raise RuntimeError("USERSPACE_RUNNERS asks for 'linux' but tools/run-linux is missing")
            runners.append(LinuxQemuRunner())
        elif n == "kernel":
            if not run_elf_available():
                raise RuntimeError("USERSPACE_RUNNERS asks for 'kernel' but tools/run-elf is "
                                   "missing or not executable")
            runners.append(KernelRunner())
        else:
            raise RuntimeError(f"unknown runner {n!r} in USERSPACE_RUNNERS")
    return runners


def status_name(status):
    if status > 128:
        try:
            return f"{status} ({signal.Signals(status - 128).name})"
        except ValueError:
            pass
    return str(status)
