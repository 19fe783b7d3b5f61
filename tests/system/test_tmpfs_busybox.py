"""busybox-static's file commands on the writable root (issue 11 §1): `mkdir -p`, `echo >`,
`>>`, `mv`, `cp`, `ln`, `ln -s`, `chmod`, `touch -d`, `ls -ln`, `find`, `wc`, `rm -r`, `rmdir`
in the root's /tmp, by one `sh` script in a --root tree. The output must be Linux's: EXPECTED is
what `tools/run-linux --root TREE /bin/sh /etc/files.sh /bin ""` printed on Debian's Linux 6.1
(its initramfs root is a tmpfs too; `ls -1` because Linux's console is a terminal, which
makes busybox print columns, and ours is not one yet); every run also checks the script natively on the same tree
(the host's /tmp is not a tmpfs, so there the directory lines of `ls -l` and its totals —
sizes and blocks differ — are left out). TMPFS_COMPARE_LINUX=1 adds a live run-linux comparison."""

import os
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT
from test_busybox_signals import busybox  # noqa: F401  (the fixture)

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
RUN_LINUX = os.path.join(ROOT, "tools", "run-linux")
APPLETS = ["sh", "echo", "mkdir", "mv", "cp", "ln", "chmod", "touch", "ls", "find", "sort", "wc",
           "rm", "rmdir", "cat"]

# $1: the directory of the commands; $2: the tree's prefix ("" as the root).
SCRIPT = r"""PATH=$1; export PATH; TZ=UTC; export TZ
mkdir -p "$2/tmp/work" && cd "$2/tmp/work" || exit 1
mkdir -p a/b/c && echo x > a/f && echo hello > a/b/g
mv a/f a/b/c/f2
ln -s ../g a/b/c/link
ln a/b/g a/b/hard
cat a/b/c/link a/b/c/f2
cp a/b/g a/copy
chmod 640 a/copy
chmod 751 a/b/c
echo appended >> a/copy
touch -d "2020-01-02 03:04:05" a/b/g a/copy a/b/c/f2 a/b/c a/b
ls -ln a a/b
wc -c a/b/g a/copy
find a | sort
mv a/b/c a/moved && ls -1 a
rm -r a/b
ls -1 a a/moved
cat a/copy
rm -r a; ls -1a; cd /; rmdir "$2/tmp/work"; echo "rmdir status $?"
ls "$2/tmp/work" 2>/dev/null || echo gone
"""

# What Linux 6.1 printed (tools/run-linux --root).
EXPECTED = """hello
x
a:
total 4
drwxr-xr-x    3 0        0              100 Jan  2  2020 b
-rw-r-----    1 0        0               15 Jan  2  2020 copy

a/b:
total 8
drwxr-x--x    2 0        0               80 Jan  2  2020 c
-rw-r--r--    2 0        0                6 Jan  2  2020 g
-rw-r--r--    2 0        0                6 Jan  2  2020 hard
        6 a/b/g
       15 a/copy
       21 total
a
a/b
a/b/c
a/b/c/f2
a/b/c/link
a/b/g
a/b/hard
a/copy
b
copy
moved
a:
copy
moved

a/moved:
f2
link
hello
appended
.
..
rmdir status 0
gone
"""


@pytest.fixture
def tree(tmp_path, busybox):  # noqa: F811
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "tmp").mkdir()
    os.chmod(root / "tmp", 0o1777)
    shutil.copy(busybox, root / "bin" / "busybox")
    for applet in APPLETS:
        os.symlink("busybox", root / "bin" / applet)
    (root / "etc" / "files.sh").write_text(SCRIPT)
    return root


def run_in_root(tool, tree):
    completed = subprocess.run(
        [tool, "--root", str(tree), "/bin/sh", "/etc/files.sh", "/bin", ""], cwd=ROOT,
        env=dict(os.environ, RUN_ELF_KERNEL=IMAGE), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return completed.returncode, completed.stdout.decode(), completed.stderr.decode()


def without_directory_lines(text):
    return [line for line in text.splitlines()
            if not line.startswith("d") and not line.startswith("total ")]


def test_busybox_file_commands_natively_as_recorded_from_linux(tree):
    native = subprocess.run([str(tree / "bin" / "sh"), str(tree / "etc" / "files.sh"),
                             str(tree / "bin"), str(tree)], env={}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, timeout=60)
    assert native.returncode == 0
    assert without_directory_lines(native.stdout.decode()) == without_directory_lines(EXPECTED)


def test_busybox_file_commands_on_our_writable_root_as_on_linux(tree):
    status, ours, stderr = run_in_root(RUN_ELF, tree)
    assert status == 0, ours + stderr
    assert ours == EXPECTED


@pytest.mark.skipif(os.environ.get("TMPFS_COMPARE_LINUX") != "1",
                    reason="boots Linux 6.1 (slow): TMPFS_COMPARE_LINUX=1 to run")
def test_busybox_file_commands_on_linux_61(tree):
    status, linux, stderr = run_in_root(RUN_LINUX, tree)
    assert status == 0, linux + stderr
    assert linux == EXPECTED
