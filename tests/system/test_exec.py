"""execve of the files of a root tree (issue 9 §4): `#!` scripts (one optional argument, blanks
kept; five nested, the sixth ELOOP), execveat (a directory descriptor, AT_EMPTY_PATH), and the
errors only a tree can show (EACCES, ENOEXEC, ENOENT for a missing interpreter, ELOOP) —
tests/programs/exec_script.c natively on a host tree whose scripts name host paths, and on our
kernel with the same tree as its --root, compared line for line. Also: the kernel names the
process after the file it executed (Linux's comm), and a program that cannot be mapped after the
point of no return is killed with SIGSEGV. tests/programs/exec_self.c (tests/userspace) covers
what survives exec and the errors that need no tree.

The programs come from `make userspace-programs` (build/programs/musl/)."""

import os
import shutil
import struct
import subprocess

import pytest

from conftest import IMAGE, ROOT

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
PROGRAMS = os.path.join(ROOT, "build", "programs", "musl")
RUN_TIMEOUT = 120
SIGSEGV_STATUS = 139


def program(name):
    path = os.path.join(PROGRAMS, name)
    if not os.path.exists(path):
        subprocess.run(["make", "-s", "-C", ROOT, "userspace-programs"], check=True, timeout=300)
    return path


def run_elf(*words, environment=None):
    env = dict(os.environ, RUN_ELF_KERNEL=IMAGE, **(environment or {}))
    completed = subprocess.run([RUN_ELF, *words], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=RUN_TIMEOUT, check=False)
    return completed.returncode, completed.stdout.decode(errors="replace"), \
        completed.stderr.decode(errors="replace")


def make_tree(root, prefix):
    """The tree, its scripts naming `prefix` + path (the host directory natively, "" as a
    --root)."""
    for directory in ("bin", "data", "scripts", "dev"):
        (root / directory).mkdir(parents=True)
    shutil.copy(program("exec_script"), root / "bin" / "exec_script")
    (root / "data" / "plain").write_text("not executable\n")
    os.chmod(root / "data" / "plain", 0o644)

    def executable(relative, content):
        path = root / relative
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        os.chmod(path, 0o755)

    executable("data/garbage", "hello, no #! here\n")
    executable("data/empty", b"")
    executable("data/short_elf", b"\x7fELF\x02\x01\x01" + bytes(13))
    os.symlink("loop", root / "loop")
    os.symlink("bin/exec_script", root / "link_to_program")
    interpreter = f"{prefix}/bin/exec_script"
    executable("scripts/spaced", f"#! \t{interpreter}  show  two words \t\nignored\n")
    executable("scripts/bare", f"#!{interpreter}")
    executable("scripts/no_interpreter", f"#!{prefix}/nonexistent\n")
    executable("scripts/blank", "#!  \t \n")
    executable("scripts/interpreter_plain", f"#!{prefix}/data/plain\n")
    executable("scripts/interpreter_directory", f"#!{prefix}/data\n")
    executable("scripts/s1", f"#!{interpreter} show\n")
    for depth in range(2, 7):
        executable(f"scripts/s{depth}", f"#!{prefix}/scripts/s{depth - 1}\n")
    return root


@pytest.fixture
def trees(tmp_path):
    native = tmp_path / "native"
    return make_tree(native, str(native)), make_tree(tmp_path / "kernel", "")


def native_run(tree, *words):
    words = [w.replace("{P}", str(tree)) for w in words]
    completed = subprocess.run([str(tree / "bin" / "exec_script"), *words],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=30,
                               check=False)
    return completed.returncode, completed.stdout.decode().replace(str(tree), "")


def kernel_run(tree, *words, environment=None):
    words = [w.replace("{P}", "") for w in words]
    return run_elf("--root", str(tree), "/bin/exec_script", *words, environment=environment)


def test_exec_errors_match_linux(trees):
    native_tree, kernel_tree = trees
    status, native = native_run(native_tree, "errors", "{P}")
    assert status == 0, native
    status, ours, stderr = kernel_run(kernel_tree, "errors", "{P}")
    assert status == 0, ours + stderr
    assert ours.splitlines() == native.splitlines()


SCRIPT_RUNS = {
    "spaced": (["run", "{P}/scripts/spaced", "x", "", "y z"], [
        "exec_script: argc 6",
        "exec_script: argv[0] = /bin/exec_script",
        "exec_script: argv[1] = show  two words",
        "exec_script: argv[2] = /scripts/spaced",
        "exec_script: argv[3] = x",
        "exec_script: argv[4] = ",
        "exec_script: argv[5] = y z",
        "exec_script: envp[0] = E=1",
        "exec_script: envp[1] = SPACE=a b",
    ]),
    "bare": (["run", "{P}/scripts/bare"], [
        "exec_script: argc 2",
        "exec_script: argv[0] = /bin/exec_script",
        "exec_script: argv[1] = /scripts/bare",
    ]),
    "five_nested": (["run", "{P}/scripts/s5", "A"], [
        "exec_script: argc 8",
        "exec_script: argv[0] = /bin/exec_script",
        "exec_script: argv[1] = show",
        "exec_script: argv[2] = /scripts/s1",
        "exec_script: argv[3] = /scripts/s2",
        "exec_script: argv[4] = /scripts/s3",
        "exec_script: argv[5] = /scripts/s4",
        "exec_script: argv[6] = /scripts/s5",
        "exec_script: argv[7] = A",
    ]),
    # A name relative to a directory descriptor is known as /dev/fd/N/NAME (Linux's
    # `alloc_bprm`): that is what the script's interpreter gets.
    "execveat_directory": (["at", "{P}/scripts", "s1", "q"], [
        "exec_script: argc 4",
        "exec_script: argv[0] = /bin/exec_script",
        "exec_script: argv[1] = show",
        "exec_script: argv[2] = /dev/fd/3/s1",
        "exec_script: argv[3] = q",
    ]),
    "symlink": (["run", "{P}/link_to_program", "show", "linked"], [
        "exec_script: argc 3",
        "exec_script: argv[0] = /link_to_program",
        "exec_script: argv[2] = linked",
    ]),
    "execveat_empty_path": (["fd", "{P}/bin/exec_script", "show", "by fd"], [
        "exec_script: argc 3",
        "exec_script: argv[0] = /bin/exec_script",
        "exec_script: argv[2] = by fd",
    ]),
}


@pytest.mark.parametrize("case", sorted(SCRIPT_RUNS))
def test_exec_runs_scripts_and_programs_as_linux(trees, case):
    words, expected = SCRIPT_RUNS[case]
    native_tree, kernel_tree = trees
    status, native = native_run(native_tree, *words)
    assert status == 0, native
    for line in expected:
        assert line in native.splitlines(), native
    status, ours, stderr = kernel_run(kernel_tree, *words)
    assert status == 0, ours + stderr
    assert ours.splitlines() == native.splitlines()


def test_the_process_takes_the_executed_files_name(trees):
    """Linux's comm: the base name of the file execve was given (the script, not its
    interpreter)."""
    _, kernel_tree = trees
    status, ours, stderr = kernel_run(kernel_tree, "run", "/scripts/spaced",
                                      environment={"RUN_ELF_VERBOSE": "1"})
    assert status == 0, ours + stderr
    assert "pid 1 (spaced) exited with status 0" in stderr, stderr


def test_an_image_that_cannot_be_mapped_after_the_point_of_no_return_is_sigsegv(trees):
    """64 GiB of bss: the commit cannot be promised, but the old image is already gone (as on
    Linux, which forces SIGSEGV after `begin_new_exec`). Every frame comes back."""
    _, kernel_tree = trees
    image = bytearray(open(program("exec_script"), "rb").read())
    phoff, = struct.unpack_from("<Q", image, 32)
    phnum, = struct.unpack_from("<H", image, 56)
    loads = [phoff + 56 * i for i in range(phnum)
             if struct.unpack_from("<I", image, phoff + 56 * i)[0] == 1]
    struct.pack_into("<Q", image, loads[-1] + 40, 64 << 30)
    (kernel_tree / "bin" / "huge").write_bytes(bytes(image))
    os.chmod(kernel_tree / "bin" / "huge", 0o755)
    status, ours, stderr = kernel_run(kernel_tree, "run", "/bin/huge")
    assert status == SIGSEGV_STATUS, ours + stderr
    assert "execve of /bin/huge failed after the point of no return" in stderr, stderr
    assert "exec_script: execve" not in ours


@pytest.mark.skipif(os.environ.get("EXEC_COMPARE_LINUX") != "1",
                    reason="boots Linux 6.1 (slow): EXEC_COMPARE_LINUX=1 to run")
@pytest.mark.parametrize("case", ["errors"] + sorted(SCRIPT_RUNS))
def test_exec_answers_as_linux_61_does_with_the_same_root(trees, case):
    """tools/run-linux --root: the kernel tree as Linux 6.1's initramfs root, same words."""
    _, kernel_tree = trees
    words = ["errors", "{P}"] if case == "errors" else SCRIPT_RUNS[case][0]
    words = [w.replace("{P}", "") for w in words]
    linux = subprocess.run([os.path.join(ROOT, "tools", "run-linux"), "--root", str(kernel_tree),
                            "/bin/exec_script", *words], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=RUN_TIMEOUT,
                           check=False)
    status, ours, stderr = kernel_run(kernel_tree, *words)
    assert linux.returncode == status == 0, linux.stderr.decode() + stderr
    assert ours.splitlines() == linux.stdout.decode().splitlines()
