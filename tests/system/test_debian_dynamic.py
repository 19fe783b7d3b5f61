"""Debian's own dynamically linked programs (issue 11 §3) in a root tree built by
tools/debian-root from this machine's packages — the program, the libraries `ldd` lists and
glibc's interpreter /lib64/ld-linux-x86-64.so.2 (PT_INTERP: the kernel loads it with AT_BASE,
it maps the libraries with mmap of files) — run on our kernel (tools/run-elf --root) and on
Debian's Linux 6.1 (tools/run-linux --root) on the same tree: the output and the exit status
must be equal, and the kernel must survive with every frame back. The tree is built once per
session into build/debian-root (git-ignored); a program this machine lacks is installed with
apt-get when possible (tools/debian-root --install), else its test is skipped."""

import os
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
RUN_LINUX = os.path.join(ROOT, "tools", "run-linux")
DEBIAN_ROOT = os.path.join(ROOT, "tools", "debian-root")
TREE = os.path.join(ROOT, "build", "debian-root")
HELLO = os.path.join(ROOT, "tests", "programs", "hello.c")
EXEC_ERRORS = os.path.join(ROOT, "tests", "programs", "exec_interp_errors.c")
PROGRAMS = ["sort", "sha256sum", "ls", "sqlite3", "perl", "python3.11"]
TIMEOUT = 600


@pytest.fixture(scope="session")
def tree():
    """The root tree: the programs, their libraries, python3.11's standard library, a
    gcc-built dynamically linked hello at /usr/bin/hello-dynamic, and an input file."""
    shutil.rmtree(TREE, ignore_errors=True)
    completed = subprocess.run(
        [DEBIAN_ROOT, "--install", "--python", TREE] + PROGRAMS, capture_output=True, text=True)
    if completed.returncode != 0:
        pytest.skip("tools/debian-root could not build the tree: " + completed.stderr.strip())
    hello = os.path.join(TREE, "usr", "bin", "hello-dynamic")
    subprocess.run(["gcc", "-O2", "-o", hello, HELLO], check=True)
    os.makedirs(os.path.join(TREE, "data"), exist_ok=True)
    with open(os.path.join(TREE, "data", "words"), "w") as f:
        f.write("pear\napple\nfig\nbanana\ncherry\napple\n")
    bad_interpreters(TREE, hello)
    return TREE


INTERPRETER = b"/lib64/ld-linux-x86-64.so.2\0"
# Programs whose PT_INTERP names (NUL-padded to the original's length) a missing file (ENOENT), a
# text file shorter than an ELF header (EIO: Linux's short read), a longer one (ELIBBAD) and an
# ELF interpreter without execute permission (EACCES).
BAD_INTERPRETERS = {
    "missing": b"/lib64/ld-missing.so.2",
    "short": b"/data/text-interp",
    "text": b"/data/long-text-interp",
    "noexec": b"/data/noexec-interp",
}


def bad_interpreters(tree, hello):
    image = open(hello, "rb").read()
    assert image.count(INTERPRETER) == 1
    for name, path in BAD_INTERPRETERS.items():
        patched = image.replace(INTERPRETER, path.ljust(len(INTERPRETER), b"\0"))
        target = os.path.join(tree, "data", "dynamic-" + name)
        with open(target, "wb") as f:
            f.write(patched)
        os.chmod(target, 0o755)
    with open(os.path.join(tree, "data", "text-interp"), "w") as f:
        f.write("not an ELF file\n")
    os.chmod(os.path.join(tree, "data", "text-interp"), 0o755)
    with open(os.path.join(tree, "data", "long-text-interp"), "w") as f:
        f.write("not an ELF file, but longer than an ELF header would be: 64 bytes or more\n")
    os.chmod(os.path.join(tree, "data", "long-text-interp"), 0o755)
    shutil.copyfile(os.path.join(tree, "usr", "lib", "x86_64-linux-gnu", "ld-linux-x86-64.so.2"),
                    os.path.join(tree, "data", "noexec-interp"))
    os.chmod(os.path.join(tree, "data", "noexec-interp"), 0o644)
    errors = os.path.join(tree, "usr", "bin", "exec-interp-errors")
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", errors, EXEC_ERRORS], check=True)


def run(runner, tree, argv, stdin=b""):
    env = dict(os.environ, RUN_ELF_KERNEL=IMAGE, RUN_ELF_TIMEOUT=str(TIMEOUT),
               RUN_LINUX_TIMEOUT=str(TIMEOUT))
    completed = subprocess.run([runner, "--root", tree] + argv, cwd=ROOT, env=env, input=stdin,
                               capture_output=True, timeout=TIMEOUT + 60)
    return completed.returncode, completed.stdout, completed.stderr


CASES = {
    "hello": ["/usr/bin/hello-dynamic", "one", "two words"],
    "interpreter-errors": ["/usr/bin/exec-interp-errors"]
    + ["/data/dynamic-" + name for name in BAD_INTERPRETERS],
    "sort": ["/usr/bin/sort", "-r", "/data/words"],
    "sha256sum": ["/usr/bin/sha256sum", "/data/words"],
    "ls": ["/usr/bin/ls", "-1", "/data", "/usr/lib64"],
    "ls-long": ["/usr/bin/ls", "-l", "/data"],
    "sqlite3": ["/usr/bin/sqlite3", ":memory:",
                "with recursive n(i) as (select 1 union all select i + 1 from n where i < 10) "
                "select group_concat(i * i, ' '), sum(i) from n;"],
    "perl": ["/usr/bin/perl", "-e",
             'my %h = map { $_ => length } qw(alpha be gamma); '
             'print join(",", map { "$_=$h{$_}" } sort keys %h), "\\n"; exit 3'],
    "python3.11": ["/usr/bin/python3.11", "-c",
                   "import json, zlib, hashlib, sys; "
                   "data = json.dumps({'squares': [i * i for i in range(8)]}).encode(); "
                   "print(data.decode(), len(zlib.compress(data)), "
                   "hashlib.sha256(data).hexdigest()[:16]); sys.exit(4)"],
    # Extension modules: dlopen of lib-dynload's _sqlite3 (and libsqlite3) and _decimal.
    "python3.11-extensions": ["/usr/bin/python3.11", "-c",
                              "import sqlite3, decimal; "
                              "print(sqlite3.connect(':memory:').execute('select 6*7').fetchone(),"
                              " decimal.Decimal(1) / 7)"],
}


@pytest.mark.parametrize("name", list(CASES))
def test_debian_program_as_on_linux(tree, name):
    argv = CASES[name]
    status, output, errors = run(RUN_ELF, tree, argv)
    linux_status, linux_output, linux_errors = run(RUN_LINUX, tree, argv)
    assert linux_status not in (124, 125), linux_errors.decode(errors="replace")
    assert (status, output) == (linux_status, linux_output), errors.decode(errors="replace")
