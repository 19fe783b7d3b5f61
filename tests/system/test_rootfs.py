"""The read-only root file system (issue 9 §4) and the tools/run-elf contract (§5): a --root
tree walked by tests/programs/rootfs_walk.c natively (on the host directory) and on the kernel
(as its root), compared line for line; the root writable as Linux's (no more EROFS), absolute
symlinks and /dev; argv byte for byte; stdin piped through; RUN_ELF_MEMORY.

The programs come from `make userspace-programs` (build/programs/musl/)."""

import hashlib
import os
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
PROGRAMS = os.path.join(ROOT, "build", "programs", "musl")
RUN_TIMEOUT = 120


def program(name):
    path = os.path.join(PROGRAMS, name)
    if not os.path.exists(path):
        subprocess.run(["make", "-s", "-C", ROOT, "userspace-programs"], check=True, timeout=300)
    return path


def run_elf(*words, stdin=b"", environment=None):
    env = dict(os.environ, RUN_ELF_KERNEL=IMAGE, **(environment or {}))
    completed = subprocess.run([RUN_ELF, *words], cwd=ROOT, env=env, input=stdin,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=RUN_TIMEOUT, check=False)
    return completed.returncode, completed.stdout.decode(errors="replace"), \
        completed.stderr.decode(errors="replace")


BIG = bytes((i * 7 + i // 251) & 0xff for i in range(200_000))


@pytest.fixture
def tree(tmp_path):
    """etc/motd, data/big, dir/{a,b,sub}, relative and absolute symlinks, a loop, the walker;
    an empty dev/ (the kernel puts its devices there, so both roots list it) and tmp/ (the
    kernel adds a /tmp to a root without one)."""
    root = tmp_path / "root"
    for directory in ["bin", "dev", "etc", "data", "dir/sub", "tmp"]:
        (root / directory).mkdir(parents=True)
    os.chmod(root / "tmp", 0o1777)
    (root / "etc" / "motd").write_text("hello world\n")
    (root / "etc" / "empty").write_bytes(b"")
    (root / "data" / "big").write_bytes(BIG)
    (root / "dir" / "a").write_text("a\n")
    (root / "dir" / "b").write_text("b\n")
    os.chmod(root / "dir" / "b", 0o600)
    os.symlink("etc/motd", root / "link_rel")
    os.symlink("etc", root / "link_dir")
    os.symlink("loop", root / "loop")
    os.symlink("nowhere", root / "dangling")
    os.symlink("/etc/motd", root / "link_abs")
    shutil.copy(program("rootfs_walk"), root / "bin" / "rootfs_walk")
    return root


def test_file_calls_answer_as_linux_does_on_the_same_tree(tree):
    native = subprocess.run([str(tree / "bin" / "rootfs_walk"), str(tree)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=30)
    assert native.returncode == 0
    status, ours, stderr = run_elf("--root", str(tree), "/bin/rootfs_walk", "")
    assert status == 0, ours + stderr
    expected = native.stdout.decode().splitlines()
    assert ours.splitlines() == expected
    assert "data/big: 200000 bytes" in ours


@pytest.mark.skipif(os.environ.get("ROOTFS_COMPARE_LINUX") != "1",
                    reason="boots Linux 6.1 (slow): ROOTFS_COMPARE_LINUX=1 to run")
def test_file_calls_answer_as_linux_61_does_with_the_same_root(tree):
    """tools/run-linux --root: the same tree as Linux's initramfs root. Linux's root also
    holds /root (its built-in initramfs makes it), and its root is writable."""
    linux = subprocess.run([os.path.join(ROOT, "tools", "run-linux"), "--root", str(tree),
                            "/bin/rootfs_walk", ""], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, timeout=600)
    assert linux.returncode == 0
    status, ours, stderr = run_elf("--root", str(tree), "/bin/rootfs_walk", "")
    assert status == 0, ours + stderr
    assert ours.splitlines() == linux.stdout.decode().replace(" root(type 4)", "").splitlines()


def test_root_is_writable_as_linuxs_initramfs_root(tree):
    """The root was read-only until issue 11 (every line below answered EROFS); now, as
    Linux's tmpfs root, every write is allowed (natively too: the same lines)."""
    status, ours, stderr = run_elf("--root", str(tree), "/bin/rootfs_walk", "", "readonly")
    assert status == 0, ours + stderr
    native = subprocess.run([str(tree / "bin" / "rootfs_walk"), str(tree), "readonly"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=30)
    for line in ["RO open etc/motd O_WRONLY: 0", "RO open etc/motd O_RDWR: 0",
                 "RO open etc/motd O_TRUNC: 0", "RO open etc/new O_CREAT: 0",
                 "RO open etc/motd O_CREAT: 0", "RO access etc/motd W_OK: 0",
                 "RO access /dev/null W_OK: 0", "open missing/new O_CREAT: ENOENT",
                 "stat /dev/null: mode 20666 rdev 1:3"]:
        assert line in ours.splitlines(), line
        assert line in native.stdout.decode().splitlines(), line


def test_absolute_symlinks_resolve_inside_the_root(tree):
    (tree / "bin" / "cat").symlink_to("rootfs_walk")
    status, ours, stderr = run_elf("--root", str(tree), "/link_dir/../bin/cat", "")
    assert status == 0, ours + stderr  # a program reached through symlinks
    os.remove(tree / "link_rel")
    os.symlink("/etc/motd", tree / "link_rel")  # absolute: the root's /etc/motd, not the host's
    status, ours, stderr = run_elf("--root", str(tree), "/bin/rootfs_walk", "")
    assert status == 0, ours + stderr
    assert 'readlink link_rel: 9 "/etc/motd"' in ours
    assert "stat link_rel: mode 100644 nlink 1 size 12 blocks>0 1" in ours


def test_symlink_chain_of_forty_resolves_and_forty_one_is_eloop(tree):
    os.symlink("etc/motd", tree / "l0")
    for index in range(1, 42):
        os.symlink(f"l{index - 1}", tree / f"l{index}")
    shutil.copy(program("stdin_argv"), tree / "bin" / "stdin_argv")
    for index in range(0, 40):
        os.symlink(f"s{index - 1}" if index else "bin/stdin_argv", tree / f"s{index}")
    status, _, _ = run_elf("--root", str(tree), "/s39")  # 40 links: still resolves
    assert status == 0
    os.symlink("s39", tree / "s40")
    status, _, stderr = run_elf("--root", str(tree), "/s40")  # 41 links: ELOOP (errno 40)
    assert status == 127 and "errno 40" in stderr, stderr


def test_missing_program_in_the_root_is_127(tree):
    status, _, stderr = run_elf("--root", str(tree), "/bin/nothing")
    assert status == 127, stderr
    os.symlink("nowhere", tree / "bin" / "broken")
    status, _, stderr = run_elf("--root", str(tree), "/bin/broken")
    assert status == 127 and "no such file in the root file system" in stderr, stderr
    status, _, stderr = run_elf("--root", str(tree), "/etc")
    assert status == 126 and "not a regular file" in stderr, stderr


ARGUMENTS = ["with space", "a,b", "'single'", '"double"', "", "tab\there", "new\nline",
             "ünïcødé", "-", "$HOME", "back\\slash", " "]


def expected_output(argv0_and_args, stdin):
    lines = [f"argc {len(argv0_and_args)}"]
    for index, word in enumerate(argv0_and_args[1:], start=1):
        lines.append(f"argv[{index}] =" + "".join(f" {b:02x}" for b in word.encode()))
    digest = 0xcbf29ce484222325
    for byte in stdin:
        digest = ((digest ^ byte) * 0x100000001b3) & 0xffffffffffffffff
    lines.append(f"stdin {len(stdin)} bytes, fnv1a {digest:016x}")
    return lines


def test_arguments_reach_the_program_byte_for_byte():
    status, ours, stderr = run_elf(program("stdin_argv"), *ARGUMENTS)
    assert status == 0, stderr
    assert ours.splitlines() == expected_output(["p"] + ARGUMENTS, b"")
    native = subprocess.run([program("stdin_argv"), *ARGUMENTS], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, timeout=30)
    assert native.stdout.decode().splitlines() == ours.splitlines()


def test_one_mebibyte_of_stdin_is_piped_through():
    data = hashlib.sha256(b"seed").digest() * (1 << 15)  # 1 MiB
    status, ours, stderr = run_elf(program("stdin_argv"), stdin=data)
    assert status == 0, stderr
    assert ours.splitlines() == expected_output(["p"], data)


def test_without_root_the_program_is_at_its_absolute_host_path(tree):
    """argv[0] is the absolute path, and the program is a file there (it can stat itself)."""
    source = tree / "argv0.c"
    source.write_text(r"""
#include <stdio.h>
#include <sys/stat.h>
int main(int argc, char **argv) {
    struct stat st;
    printf("argv0 %s stat %d\n", argv[0], stat(argv[0], &st));
    return 0;
}""")
    binary = tree / "argv0"
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", str(binary), str(source)], check=True)
    relative = os.path.relpath(binary, ROOT)
    status, ours, stderr = run_elf(relative)
    assert status == 0, stderr
    assert ours == f"argv0 {binary} stat 0\n"


def test_run_elf_memory_sets_the_guest_ram():
    status, ours, stderr = run_elf(program("hello"), environment={"RUN_ELF_MEMORY": "256M",
                                                                  "RUN_ELF_VERBOSE": "1"})
    assert status == 0, stderr
    small = [line for line in stderr.splitlines() if "frames: total" in line]
    status, _, stderr = run_elf(program("hello"), environment={"RUN_ELF_VERBOSE": "1"})
    default = [line for line in stderr.splitlines() if "frames: total" in line]
    assert small and default and small[0] != default[0]
    total = lambda line: int(line.split("frames: total ")[1].split(",")[0])
    assert total(small[0]) * 4 <= total(default[0]) + 1024


def write_modules(directory, archive_bytes, records):
    """The root archive and launch records as files; returns QEMU's -initrd list."""
    paths = [directory / "root.cpio"]
    paths[0].write_bytes(archive_bytes)
    for index, record in enumerate(records):
        paths.append(directory / f"launch{index}")
        paths[-1].write_bytes(record)
    return ",".join(str(path) for path in paths)


def test_several_launch_records_run_in_one_boot_with_accounting_after_each(tree, tmp_path):
    import sys
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import initramfs
    from conftest import EXIT_SUCCESS, boot
    shutil.copy(program("stdin_argv"), tree / "bin" / "stdin_argv")
    archive = initramfs.Archive()
    archive.tree(str(tree))
    records = [initramfs.launch_record("/bin/stdin_argv", ["first", "a b"], b"one"),
               initramfs.launch_record("/bin/rootfs_walk", ["w", ""], b""),
               initramfs.launch_record("/bin/missing", ["m"], b""),
               initramfs.launch_record("/link_dir/motd", ["x"], b""),
               initramfs.launch_record("/bin/stdin_argv", ["third"], b"two")]
    run = boot(extra=["-initrd", write_modules(tmp_path, archive.bytes(), records)], timeout=60)
    assert run.status == EXIT_SUCCESS, run
    statuses = [line for line in run.output.splitlines() if line.startswith("[kernel] exit-status")]
    assert statuses == ["[kernel] exit-status " + s for s in ["0", "0", "127", "126", "0"]], run
    assert run.output.count("frames back to baseline") == 5, run
    assert "[kernel] all 5 programs done" in run.output
    assert "stdin 3 bytes" in run.output and "argv[1] = 61 20 62" in run.output


def test_malformed_root_archive_is_refused_in_one_line(tmp_path):
    import sys
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import initramfs
    from conftest import EXIT_SUCCESS, boot
    archive = initramfs.Archive()
    archive.host_file(program("hello"), "bin/hello")
    broken = archive.bytes()[:-200]  # no trailer
    records = [initramfs.launch_record("/bin/hello", ["hello"], b"")]
    run = boot(extra=["-initrd", write_modules(tmp_path, broken, records)], timeout=60)
    assert run.status == EXIT_SUCCESS, run
    assert "root.cpio refused: cpio entry at 116 runs past the archive" in run.output, run
    assert "[kernel] exit-status 127" in run.output
