"""Programs from Debian's packages, used as they are and never committed: `apt-get download`
fetches the package once into .cache/NAME (git-ignored), `dpkg-deb -x` unpacks it there, as
tools/run-linux fetches its kernel. A test that needs one is skipped when that is not possible
(no apt-get, or no package source reachable)."""

import glob
import os
import shutil
import subprocess

import pytest

from conftest import ROOT


def unpacked_binary(package, cache_name, binary):
    """The path of `binary` (relative to the package's root) from Debian's `package`, fetched
    and unpacked into .cache/`cache_name` on first use; skips the calling test if it cannot be."""
    cache = os.path.join(ROOT, ".cache", cache_name)
    path = os.path.join(cache, binary)
    if os.path.exists(path):
        return path
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        pytest.skip(f"{package}: no apt-get / dpkg-deb to fetch it")
    os.makedirs(cache, exist_ok=True)
    fetched = subprocess.run(["apt-get", "download", package], cwd=cache,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    packages = glob.glob(os.path.join(cache, f"{package}_*.deb"))
    if fetched.returncode != 0 or not packages:
        pytest.skip(f"{package} could not be fetched: " + fetched.stdout.decode()[-300:])
    subprocess.run(["dpkg-deb", "-x", packages[0], cache], check=True, timeout=60)
    return path
