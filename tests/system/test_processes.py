"""Processes (issue 4): static Linux binaries in ring 3, the tools/run-elf contract, several
programs in one boot with frame accounting back to baseline, glibc and musl, hostile ELF files.

The C programs are compiled here (musl-gcc and gcc -static) into a temporary directory; every
QEMU run has a hard timeout (tools/qemu-run, plus the subprocess timeout)."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import EXIT_SUCCESS, IMAGE, ROOT, boot

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
RUN_TIMEOUT = 120

SOURCES = {
    "args": r"""
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    return argc > 1 ? atoi(argv[1]) : 0;
}""",
    "crash": r"""
#include <stdio.h>
int main(void) {
    printf("partial line");
    fflush(stdout);
    *(volatile int *)0x10 = 1;
    return 0;
}""",
    "spin": r"""
int main(void) { for (;;) { __asm__ volatile(""); } }""",
    "undefined": r"""
#include <stdio.h>
int main(void) { puts("before ud2"); fflush(stdout); __asm__ volatile("ud2"); return 0; }""",
    "enosys": r"""
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <errno.h>
int main(void) {
    long r = syscall(SYS_add_key, 0, 0, 0, 0, 0, 0); /* futex has been supported since issue 10 */
    printf("add_key: %ld errno %d\n", r, errno);
    return r == -1 && errno == ENOSYS ? 0 : 1;
}""",
    "remap": r"""
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
int main(void) {
    int bad = 0;
    char *a = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 3 * 4096; i += 4096) a[i] = 'a' + i / 4096;
    char *b = mremap(a, 3 * 4096, 64 * 4096, MREMAP_MAYMOVE);
    if (b == MAP_FAILED) { printf("FAIL grow\n"); return 1; }
    for (int i = 0; i < 3; i++) if (b[i * 4096] != 'a' + i) { printf("FAIL content %d\n", i); bad = 1; }
    if (b[10 * 4096] != 0) { printf("FAIL fresh not zero\n"); bad = 1; }
    b[63 * 4096] = 'z';
    char *c = mremap(b, 64 * 4096, 4096, 0);
    if (c != b || c[0] != 'a') { printf("FAIL shrink\n"); bad = 1; }
    if (mremap(c, 4096, 8192, 0) == MAP_FAILED && errno != ENOMEM) { printf("FAIL errno %d\n", errno); bad = 1; }
    if (mremap((void *)0x10000, 4096, 8192, MREMAP_MAYMOVE) != MAP_FAILED || errno != EFAULT) { printf("FAIL efault %d\n", errno); bad = 1; }
    if (mremap(c, 4096, 8192, MREMAP_FIXED) != MAP_FAILED || errno != EINVAL) { printf("FAIL einval\n"); bad = 1; }
    char *d = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *e = mremap(c, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, d);
    if (e != d || e[0] != 'a') { printf("FAIL fixed move\n"); bad = 1; }
    printf(bad ? "remap: failed\n" : "remap: ok\n");
    return bad;
}""",
    "libc": r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <math.h>
#include <errno.h>
#include <sys/utsname.h>
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(void) {
    int v[100]; for (int i = 0; i < 100; i++) v[i] = (i * 7919) % 100;
    qsort(v, 100, sizeof v[0], cmp);
    printf("sorted %d %d\n", v[0], v[99]);
    printf("float %.3f %g\n", 3.14159 * 2, sqrt(2.0));
    printf("strtod %f\n", strtod("1e3", 0));
    struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
    usleep(1000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("slept %s\n", (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) >= 1000000 ? "yes" : "no");
    printf("time %s\n", time(0) >= 0 ? "ok" : "bad");
    struct utsname u; uname(&u); printf("uname %s %s\n", u.sysname, u.machine);
    char *p = malloc(10 << 20); memset(p, 1, 10 << 20); free(p);
    char cwd[256]; printf("cwd %s\n", getcwd(cwd, sizeof cwd) ? cwd : "(none)");
    printf("pid %d env TERM=%s\n", getpid(), getenv("TERM"));
    printf("sysconf pagesize %ld nprocs %ld\n", sysconf(_SC_PAGESIZE), sysconf(_SC_NPROCESSORS_ONLN));
    fprintf(stderr, "to stderr\n");
    return 0;
}""",
    "descriptors": r"""
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
static int bad;
static void check(int ok, const char *what) {
    if (!ok) { bad = 1; write(2, "FAIL ", 5); write(2, what, strlen(what)); write(2, "\n", 1); }
}
int main(void) {
    int copy = dup(1);
    check(copy == 3, "dup(1) is 3");
    check(write(copy, "via dup\n", 8) == 8, "write to the copy");
    check(close(1) == 0, "close(1)");
    check(write(1, "x", 1) == -1 && errno == EBADF, "closed fd is EBADF");
    check(dup2(copy, 1) == 1, "dup2 back");
    check(dup2(1, 1) == 1, "dup2 onto itself");
    check(dup3(1, 1, 0) == -1 && errno == EINVAL, "dup3 onto itself");
    check(syscall(SYS_dup3, 1, 7, 12345) == -1 && errno == EINVAL, "dup3 bad flags");
    check(fcntl(1, F_DUPFD, 10) == 10, "F_DUPFD from 10");
    check(fcntl(10, F_GETFD) == 0, "F_GETFD");
    check(fcntl(10, F_SETFD, FD_CLOEXEC) == 0 && fcntl(10, F_GETFD) == FD_CLOEXEC, "F_SETFD");
    check(dup(-1) == -1 && errno == EBADF, "dup(-1)");
    check(close(99) == -1 && errno == EBADF, "close(99)");
    check(write(1, "done\n", 5) == 5, "write after dup2");
    return bad;
}""",
    "polling": r"""
#include <poll.h>
#include <stdio.h>
#include <sys/select.h>
#include <time.h>
int main(void) {
    struct pollfd fds[3] = {{0, POLLIN, 0}, {1, POLLOUT, 0}, {42, POLLIN, 0}};
    int ready = poll(fds, 3, 0);
    printf("poll %d %d %d %d\n", ready, fds[0].revents & POLLIN, fds[1].revents & POLLOUT,
           fds[2].revents & POLLNVAL);
    fd_set writable; FD_ZERO(&writable); FD_SET(1, &writable);
    struct timeval zero = {0, 0};
    printf("select %d %d\n", select(2, 0, &writable, 0, &zero), FD_ISSET(1, &writable) != 0);
    struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
    struct timeval tenms = {0, 10000};
    int none = select(0, 0, 0, 0, &tenms);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long waited = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    printf("sleep-select %d %s\n", none, waited >= 10000000 ? "waited" : "early");
    return 0;
}""",
    "exhaust": r"""
#include <stdio.h>
#include <sys/mman.h>
int main(void) {
    unsigned long chunk = 16UL << 20, total = 0;
    for (;;) {
        char *p = mmap(0, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) break;
        for (unsigned long i = 0; i < chunk; i += 4096) p[i] = 1;
        total += chunk;
    }
    printf("committed and touched %lu MiB before ENOMEM\n", total >> 20);
    return total > 0 ? 0 : 1;
}""",
    "faults": r"""
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
int main(void) {
    unsigned long size = 16UL << 20;
    volatile char *p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    for (unsigned long i = 0; i < size; i += 4096) p[i] = 1;
    getrusage(RUSAGE_SELF, &after);
    printf("faults %ld\n", after.ru_minflt - before.ru_minflt);
    return after.ru_minflt - before.ru_minflt >= 4096 ? 0 : 1;
}""",
}


def compile_program(directory, name, compiler, flags=("-static",), suffix=None):
    source = os.path.join(directory, name + ".c")
    with open(source, "w") as handle:
        handle.write(SOURCES[name])
    output = os.path.join(directory, name + "-" + (suffix or os.path.basename(compiler)))
    subprocess.run([compiler, "-O2", *flags, "-o", output, source], check=True)
    return output


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    if shutil.which("musl-gcc") is None:
        pytest.fail("musl-gcc is missing: apt-get install -y --no-install-recommends musl-tools")
    directory = str(tmp_path_factory.mktemp("programs"))
    built = {name: compile_program(directory, name, "musl-gcc") for name in SOURCES}
    built["args-glibc"] = compile_program(directory, "args", "gcc")
    built["libc-glibc"] = compile_program(directory, "libc", "gcc", ["-static", "-lm"])
    built["args-pie"] = compile_program(directory, "args", "gcc", ["-static-pie", "-fPIE"], "pie")
    return built


def run_elf(program, *arguments, timeout=None):
    environment = dict(os.environ, RUN_ELF_KERNEL=IMAGE)
    if timeout is not None:
        environment["RUN_ELF_TIMEOUT"] = str(timeout)
    completed = subprocess.run(
        [RUN_ELF, program, *arguments], cwd=ROOT, env=environment, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, timeout=RUN_TIMEOUT, check=False)
    return completed.returncode, completed.stdout.decode(), completed.stderr.decode()


def test_run_elf_passes_arguments_and_returns_the_exit_status(programs):
    status, stdout, _ = run_elf(programs["args"], "42", "two")
    assert status == 42
    assert stdout == f"argv[0]={programs['args']}\nargv[1]=42\nargv[2]=two\n"


def test_glibc_static_program(programs):
    status, stdout, stderr = run_elf(programs["args-glibc"], "7")
    assert status == 7, stderr
    assert "argv[1]=7\n" in stdout


def test_glibc_static_pie_is_relocated(programs):
    status, stdout, stderr = run_elf(programs["args-pie"], "5")
    assert status == 5, stderr
    assert "argv[1]=5\n" in stdout


def test_memory_fault_kill_is_139_and_output_stays_exact(programs):
    status, stdout, stderr = run_elf(programs["crash"])
    assert status == 139
    assert stdout == "partial line"  # the kernel's line feed before its kill line is not output
    assert re.search(r"killed: write at 0x10: address not mapped, RIP 0x[0-9a-f]+", stderr)


def test_invalid_opcode_kills_with_sigill(programs):
    status, stdout, _ = run_elf(programs["undefined"])
    assert status == 128 + 4
    assert stdout == "before ud2\n"


def test_unsupported_call_is_enosys(programs):
    status, stdout, _ = run_elf(programs["enosys"])
    assert status == 0, stdout


def test_demand_faults_counted_by_getrusage(programs):
    status, stdout, _ = run_elf(programs["faults"])
    assert status == 0, stdout


def test_mremap_grows_moves_and_shrinks_like_linux(programs):
    native = subprocess.run([programs["remap"]], stdout=subprocess.PIPE, timeout=30)
    assert native.returncode == 0, native.stdout
    status, stdout, _ = run_elf(programs["remap"])
    assert status == 0, stdout
    assert stdout == "remap: ok\n"


@pytest.mark.parametrize("variant", ["libc", "libc-glibc"])
def test_libc_basics_sleep_time_cwd_and_floating_point(programs, variant):
    status, stdout, stderr = run_elf(programs[variant])
    assert status == 0, stderr
    for line in ["sorted 0 99", "float 6.283 1.41421", "strtod 1000.000000", "slept yes",
                 "time ok", "uname Linux x86_64", "cwd /", "env TERM=linux",
                 "sysconf pagesize 4096"]:
        assert line in stdout, stdout
    assert "to stderr" in stdout  # stderr goes to the same console


FPU_LEAVE = r"""
  .globl _start
_start:
  movabsq $0x5345435245545345, %rax
  movq %rax, %xmm0
  movq %rax, %xmm7
  movq %rax, %xmm15
  fldpi
  movl $60, %eax
  xorl %edi, %edi
  syscall
"""

FPU_CHECK = r"""
  .globl _start
_start:
  movq %xmm0, %rax
  movq %xmm7, %rbx
  orq %rbx, %rax
  movq %xmm15, %rbx
  orq %rbx, %rax
  fnstsw %ax       # x87 status: TOP must be 0 (empty stack)
  movzwl %ax, %edi
  andl $0x3800, %edi
  movq %xmm0, %rax
  orq %rax, %rdi
  movq %xmm15, %rax
  orq %rax, %rdi
  setnz %dil
  movzbl %dil, %edi
  movl $60, %eax
  syscall
"""


def test_fpu_and_sse_registers_do_not_leak_between_processes(tmp_path):
    """The first program leaves a secret in XMM0/7/15 and pushes the x87 stack; the second
    must start with them zero and an empty x87 stack (it exits 1 otherwise)."""
    built = []
    for name, source in [("fpu-leave", FPU_LEAVE), ("fpu-check", FPU_CHECK)]:
        path = tmp_path / (name + ".S")
        path.write_text(source)
        subprocess.run(["gcc", "-nostdlib", "-static", "-o", str(tmp_path / name), str(path)],
                       check=True)
        built.append(str(tmp_path / name))
    run = boot(extra=["-initrd", ",".join(built)], timeout=60)
    assert run.status == EXIT_SUCCESS, run
    assert re.findall(r"\[kernel\] exit-status (\d+)", run.output) == ["0", "0"], run


def test_descriptor_table_like_linux(programs):
    native = subprocess.run([programs["descriptors"]], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=30)
    assert native.returncode == 0, native.stderr
    status, stdout, stderr = run_elf(programs["descriptors"])
    assert status == 0, stdout + stderr
    assert stdout == "via dup\ndone\n"


def test_poll_and_select_report_readiness_like_linux(programs):
    native = subprocess.run([programs["polling"]], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, timeout=30)
    status, stdout, _ = run_elf(programs["polling"])
    assert status == 0, stdout
    assert stdout == native.stdout.decode() == ("poll 3 1 4 32\nselect 1 1\n"
                                                 "sleep-select 0 waited\n")


def test_memory_exhaustion_is_enomem_at_mmap_never_a_failed_fault(programs):
    """Map and touch 16 MiB chunks until mmap says ENOMEM: every committed page can be backed
    (commit is charged at mmap time), nothing panics, and every frame comes back."""
    run = boot(extra=["-initrd", programs["exhaust"]], timeout=120)
    assert run.status == EXIT_SUCCESS, run
    touched = int(re.search(r"committed and touched (\d+) MiB before ENOMEM", run.output).group(1))
    assert touched >= 128, run
    assert "frames back to baseline" in run.output, run
    assert "[kernel] exit-status 0" in run.output, run


def test_a_secret_never_reaches_the_next_program_in_the_same_boot(tmp_path):
    """tests/programs' secret pair in ONE boot: secret_check's fresh pages come from the very
    frames secret_write just left behind, and none may hold the secret."""
    built = []
    for name in ["secret_write", "secret_check"]:
        output = str(tmp_path / name)
        subprocess.run(["musl-gcc", "-static", "-O2", "-I", os.path.join(ROOT, "tests", "programs"),
                        "-o", output, os.path.join(ROOT, "tests", "programs", name + ".c")],
                       check=True)
        built.append(output)
    run = boot(extra=["-initrd", ",".join(built)], timeout=120)
    assert run.status == EXIT_SUCCESS, run
    assert "secret_write: planted 36 MiB of secret" in run.output, run
    assert re.search(r"secret_check: fresh mmap: 64 MiB, 0 secret copies, 0 non-zero bytes",
                     run.output), run
    assert re.search(r"secret_check: all \d+ checks passed", run.output), run
    assert re.findall(r"\[kernel\] exit-status (\d+)", run.output) == ["0", "0"], run


def test_timeout_status(programs):
    status, _, stderr = run_elf(programs["spin"], timeout=3)
    assert status == 124, stderr


def test_missing_program_is_127():
    status, _, _ = run_elf("/nonexistent/program")
    assert status == 127


@pytest.mark.parametrize("content", [b"not an elf at all\n", b"\x7fELF\x02\x01\x01" + b"\0" * 9,
                                     b"\x7fELF\x01\x01\x01" + b"\0" * 100])
def test_malformed_files_are_refused_with_126(tmp_path, content):
    path = tmp_path / "bad"
    path.write_bytes(content)
    status, _, stderr = run_elf(str(path))
    assert status == 126
    assert "not started" in stderr


def test_a_bss_larger_than_memory_is_refused_not_a_panic(programs, tmp_path):
    """A valid ELF whose last PT_LOAD asks for 64 GiB of bss: the commit cannot be promised."""
    import struct
    image = bytearray(open(programs["args"], "rb").read())
    phoff, = struct.unpack_from("<Q", image, 32)
    phnum, = struct.unpack_from("<H", image, 56)
    loads = [phoff + 56 * i for i in range(phnum) if struct.unpack_from("<I", image, phoff + 56 * i)[0] == 1]
    struct.pack_into("<Q", image, loads[-1] + 40, 64 << 30)
    path = tmp_path / "huge-bss"
    path.write_bytes(bytes(image))
    status, _, stderr = run_elf(str(path))
    assert status == 126
    assert "cannot reserve its memory (errno 12)" in stderr


def test_a_dynamically_linked_program_without_its_interpreter_is_refused(tmp_path):
    """Without --root the root holds only the program: its PT_INTERP is missing (ENOENT, as
    Linux's execve answers). tests/system/test_debian_dynamic.py runs such programs."""
    source = tmp_path / "dynamic.c"
    source.write_text("int main(void) { return 0; }\n")
    subprocess.run(["gcc", "-o", str(tmp_path / "dynamic"), str(source)], check=True)
    status, _, stderr = run_elf(str(tmp_path / "dynamic"))
    assert status == 126
    assert "cannot load its interpreter /lib64/ld-linux-x86-64.so.2 (errno 2)" in stderr


def test_several_programs_in_one_boot_return_every_frame(programs):
    modules = ",".join([programs["args"] + " 1", programs["crash"], programs["args-glibc"] + " 2",
                        programs["enosys"], programs["faults"]])
    run = boot(extra=["-initrd", modules], timeout=90)
    assert run.status == EXIT_SUCCESS, run
    assert run.output.count("frames back to baseline") == 5, run
    assert "FRAME ACCOUNTING" not in run.output, run
    assert "[kernel] frame accounting clean after every process" in run.output
    statuses = re.findall(r"\[kernel\] exit-status (\d+)", run.output)
    assert statuses == ["1", "139", "2", "0", "0"], run
    assert re.search(r"system call 248 not supported: ENOSYS", run.output), run
    # The same free-frame count after each process, but for the heap's growth (the heap keeps
    # what it took): nothing leaked between programs.
    counts = set(int(free) + int(heap) for free, heap in re.findall(
        r"frames back to baseline: (\d+) free; kernel heap (\d+) frames", run.output))
    assert len(counts) == 1, run
