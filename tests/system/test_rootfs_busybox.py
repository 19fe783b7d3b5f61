"""Debian's busybox-static reading files of a --root tree on our kernel (issue 9 §4): `cat`,
`ls -ln`, `sha256sum`, `wc`, `find`, `readlink`, and `cat` of stdin, each compared with the same
applet run natively on the same host directory (busybox fetched as in test_busybox_signals.py;
skipped when it cannot be)."""

import os
import shutil
import subprocess

import pytest

from conftest import IMAGE, ROOT
from test_busybox_signals import busybox  # noqa: F401  (the fixture)

RUN_ELF = os.path.join(ROOT, "tools", "run-elf")


@pytest.fixture
def tree(tmp_path, busybox):  # noqa: F811
    root = tmp_path / "root"
    for directory in ["bin", "etc", "data/deep/er"]:
        (root / directory).mkdir(parents=True)
    (root / "etc" / "motd").write_text("hello from the root file system\n")
    (root / "etc" / "empty").write_bytes(b"")
    (root / "data" / "blob").write_bytes(bytes(range(256)) * 4096)  # 1 MiB
    (root / "data" / "deep" / "er" / "leaf").write_text("leaf\n")
    os.symlink("motd", root / "etc" / "greeting")
    os.chmod(root / "etc" / "motd", 0o640)
    shutil.copy(busybox, root / "bin" / "busybox")
    return root


def both(tree, *words, stdin=b""):
    """(native stdout, our stdout, our status): natively inside `tree` as the working
    directory with relative paths; on our kernel with --root and the same relative paths."""
    native = subprocess.run([str(tree / "bin" / "busybox"), *words], cwd=tree, input=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    ours = subprocess.run([RUN_ELF, "--root", str(tree), "/bin/busybox", *words], cwd=ROOT,
                          env=dict(os.environ, RUN_ELF_KERNEL=IMAGE), input=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return native.stdout.decode(), ours.stdout.decode(), ours.returncode, native.returncode


@pytest.mark.parametrize("command", [
    ["cat", "etc/motd", "etc/greeting", "etc/empty"],
    ["sha256sum", "data/blob", "etc/motd"],
    ["wc", "-c", "data/blob", "etc/motd"],
    ["ls", "-ln", "etc"],
    ["ls", "-lan", "data/deep/er"],
    ["find", "data", "etc"],
    ["readlink", "etc/greeting"],
    ["cat", "etc/missing"],
    ["head", "-c", "20", "data/blob"],
], ids=lambda command: "-".join(command))
def test_busybox_applet_matches_native(tree, command):
    native, ours, status, native_status = both(tree, *command)
    assert status == native_status, ours
    if command[0] == "find":  # directory order: ext4's hash order natively, names here
        native, ours = sorted(native.splitlines()), sorted(ours.splitlines())
    if command[:2] == ["ls", "-lan"]:
        # Directory sizes and blocks differ (ext4: 4096 and 8; tmpfs, as Linux's initramfs:
        # 20 per entry and 0), so their lines and the total are left out.
        keep = lambda line: not line.startswith("d") and not line.startswith("total")
        native = [line for line in native.splitlines() if keep(line)]
        ours = [line for line in ours.splitlines() if keep(line)]
    assert ours == native


def test_busybox_cat_copies_stdin(tree):
    data = os.urandom(300_000)
    _, ours, status, _ = both(tree, "sha256sum", stdin=data)
    assert status == 0
    import hashlib
    assert ours.split()[0] == hashlib.sha256(data).hexdigest()
