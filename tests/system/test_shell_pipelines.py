"""Shells on many processes (issue 9 §6): Debian's busybox-static (`sh`, and the applets through
symlinks) and bash-static run scripts of pipelines, subshells, command substitution (`$(...)`,
nested, backquotes), background jobs with `wait`, `&&` / `||`, `sh -c` and exit statuses in a
--root tree. The output must be Linux's: EXPECTED is what `tools/run-linux --root TREE /bin/sh
/etc/NAME.sh /bin ""` printed on Debian's Linux 6.1 (and bash the same), and the test also
checks it against the host's Linux natively on the same tree, every run, so the recording cannot
go stale unnoticed. SHELL_COMPARE_LINUX=1 adds the live run-linux comparison (two boots).

bash-static is fetched like busybox (tests/system/debian_package.py): `apt-get download`
into .cache/bash (git-ignored); the tests are skipped when that is not possible."""

import os
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT
from debian_package import unpacked_binary
from test_busybox_signals import busybox  # noqa: F401  (the fixture)

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")
RUN_LINUX = os.path.join(ROOT, "tools", "run-linux")
APPLETS = ["sh", "echo", "tr", "sort", "head", "tail", "cat", "wc", "sleep", "true", "false",
           "seq", "uniq", "expr", "test", "[", "printf"]
SCRIPT_STATUS = 4  # the script's `exit 4`

# $1 is the directory of the commands (PATH), $2 the prefix of the tree's files: "/bin" and ""
# as the root, the host directory's paths natively.
# $1 is the directory of the commands (PATH), $2 the prefix of the tree's files: "/bin" and ""
# as the root, the host directory's paths natively. Two scripts, so that a kernel without
# SIGCHLD handlers (busybox's `wait` sleeps in rt_sigsuspend until its SIGCHLD handler has run;
# bash's does not) fails only the second.
SCRIPTS = {
    "pipelines": r"""PATH=$1; export PATH
echo a b c | tr ' ' '\n' | sort -r | head -2
(echo sub; exit 3); echo "subshell status $?"
x=$(echo inner | tr a-z A-Z); echo "command substitution $x"
y=`echo back`; echo "backquotes $y"
echo "nested $(echo $(echo deep) level)"
true && echo and-taken; false && echo and-skipped
false || echo or-taken; true || echo or-skipped
false; echo "false status $?"
sh -c 'exit 7'; echo "sh -c status $?"
seq 1 200 | wc -l
i=0; while [ $i -lt 3 ]; do echo "loop $i"; i=$((i + 1)); done
cat "$2/etc/data" | sort | uniq -c | sort -rn | head -2
for w in one two three; do echo $w; done | tail -1
{ echo grouped; echo lines; } | wc -l
echo discarded > /dev/null; echo "/dev/null ok"
exit 4
""",
    "jobs": r"""PATH=$1; export PATH
sleep 0.2 & slow=$!
(echo background; exit 5) & fast=$!
wait $fast; echo "background status $?"
wait $slow; echo "sleep status $?"
(echo piped job | tr a-z A-Z) & wait $!; echo "piped job status $?"
sleep 0.1 & sleep 0.1 &
wait; echo "wait for all $?"
exit 4
""",
}

# What Linux 6.1 printed (tools/run-linux --root, both shells alike).
EXPECTED = {
    "pipelines": """c
b
sub
subshell status 3
command substitution INNER
backquotes back
nested deep level
and-taken
or-taken
false status 1
sh -c status 7
200
loop 0
loop 1
loop 2
      3 pear
      2 apple
three
2
/dev/null ok
""",
    "jobs": """background
background status 5
sleep status 0
PIPED JOB
piped job status 0
wait for all 0
""",
}


@pytest.fixture(scope="module")
def bash():
    return unpacked_binary("bash-static", "bash", os.path.join("bin", "bash-static"))


@pytest.fixture
def tree(tmp_path, busybox, bash):  # noqa: F811
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    (root / "etc").mkdir()
    shutil.copy(busybox, root / "bin" / "busybox")
    shutil.copy(bash, root / "bin" / "bash")
    for applet in APPLETS:
        os.symlink("busybox", root / "bin" / applet)
    (root / "etc" / "data").write_text("pear\napple\npear\nfig\napple\npear\n")
    for name, text in SCRIPTS.items():
        (root / "etc" / f"{name}.sh").write_text(text)
    return root


def run_in_root(tool, tree, shell, script, guest_timeout=60):
    completed = subprocess.run(
        [tool, "--root", str(tree), f"/bin/{shell}", f"/etc/{script}.sh", "/bin", ""], cwd=ROOT,
        env=dict(os.environ, RUN_ELF_KERNEL=IMAGE, RUN_ELF_TIMEOUT=str(guest_timeout)),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return completed.returncode, completed.stdout.decode(), completed.stderr.decode()


SCRIPT_NAMES = sorted(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPT_NAMES)
@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_script_runs_natively_as_recorded_from_linux(tree, shell, script):
    native = subprocess.run([str(tree / "bin" / shell), str(tree / "etc" / f"{script}.sh"),
                             str(tree / "bin"), str(tree)], env={}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, timeout=60)
    assert native.stdout.decode() == EXPECTED[script]
    assert native.returncode == SCRIPT_STATUS


@pytest.mark.parametrize("script", SCRIPT_NAMES)
@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_script_output_on_our_kernel_is_linux_s(request, tree, shell, script):
    guest_timeout = 60  # busybox's `wait` (rt_sigsuspend until its SIGCHLD handler ran) works
    status, out, err = run_in_root(RUN_ELF, tree, shell, script, guest_timeout)
    assert out == EXPECTED[script], err[-3000:]
    assert status == SCRIPT_STATUS, err[-3000:]


@pytest.mark.skipif(os.environ.get("SHELL_COMPARE_LINUX") != "1",
                    reason="boots Linux 6.1 (slow): SHELL_COMPARE_LINUX=1 to run")
@pytest.mark.parametrize("script", SCRIPT_NAMES)
@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_script_output_on_linux_61_is_the_recording(tree, shell, script):
    status, out, err = run_in_root(RUN_LINUX, tree, shell, script)
    assert out == EXPECTED[script], err[-3000:]
    assert status == SCRIPT_STATUS
