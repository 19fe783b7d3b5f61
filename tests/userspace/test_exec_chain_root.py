"""execve's answers that need files a bare run does not have (issue 9 §4): `exec_chain rooted
PREFIX` in a tree with /bin/exec_chain, /bin/not-elf (mode 0755, text without `#!`: ENOEXEC),
/bin/no-exec-bit (the ELF with mode 0644: EACCES) and /bin/script (`#!/bin/exec_chain shebang`,
mode 0755: its interpreter runs with [interpreter, "shebang", script path, args]).

Natively the tree is a host directory (PREFIX its path, the `#!` line naming the host path);
on the kernel and on Linux 6.1 it is the root (`tools/run-elf --root`, `tools/run-linux
--root`), PREFIX empty."""

import os
import shutil
import subprocess

from runners import KERNEL_TIMEOUT, RUN_ELF, RUN_LINUX, ROOT, Result
from test_programs import assert_lines, assert_no_fail, assert_status, binary


def make_tree(base, interpreter_prefix):
    os.makedirs(base / "bin")
    program = base / "bin" / "exec_chain"
    shutil.copy(binary("musl", "exec_chain"), program)
    shutil.copy(program, base / "bin" / "no-exec-bit")
    os.chmod(base / "bin" / "no-exec-bit", 0o644)
    (base / "bin" / "not-elf").write_text("this is not an executable format\n")
    os.chmod(base / "bin" / "not-elf", 0o755)
    (base / "bin" / "script").write_text(f"#!{interpreter_prefix}/bin/exec_chain shebang\n")
    os.chmod(base / "bin" / "script", 0o755)
    return base


def run_rooted(runner, tmp_path):
    if runner.name == "native":
        tree = make_tree(tmp_path / "tree", str(tmp_path / "tree"))
        return runner.run(str(tree / "bin" / "exec_chain"), ["rooted", str(tree)])
    tree = make_tree(tmp_path / "tree", "")
    tool = {"kernel": RUN_ELF, "linux": RUN_LINUX}[runner.name]
    command = [tool, "--root", str(tree), "/bin/exec_chain", "rooted", ""]
    completed = subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=KERNEL_TIMEOUT + 60, check=False)
    return Result(completed.returncode, completed.stdout.decode("utf-8", "replace"),
                  runner.name, command, completed.stderr.decode("utf-8", "replace"))


def test_execve_enoexec_eacces_and_shebang(runner, tmp_path):
    result = run_rooted(runner, tmp_path)
    assert_no_fail(result)
    assert_lines(result, [r"exec_chain: rooted: ENOEXEC, EACCES, #! script",
                          r"exec_chain: all 4 checks passed"])
    assert_status(result, 0)
