"""Swap disks for tools/run-elf and tools/run-linux (RUN_ELF_SWAP=SIZE): a fresh sparse raw
image of SIZE with the header `mkswap` (util-linux) writes, the same disk for both kernels."""
import os
import shutil
import subprocess
import sys

UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
MKSWAP_PLACES = ("/usr/sbin/mkswap", "/sbin/mkswap")


def size_bytes(text):
    """QEMU's and mkswap's size words: 1G, 512M, 65536K, or bytes; binary units."""
    word = text.strip().upper().rstrip("B").rstrip("I")
    unit = word[-1:] if word[-1:] in UNITS else ""
    number = word[: len(word) - len(unit)]
    if not number.isdigit() or int(number) == 0:
        raise ValueError("not a size: %r (try 1G or 512M)" % text)
    return int(number) * UNITS[unit]


def mkswap_path():
    """mkswap, installed with tools/install-deps (util-linux) when missing."""
    for place in (shutil.which("mkswap"),) + MKSWAP_PLACES:
        if place and os.access(place, os.X_OK):
            return place
    tools = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([os.path.join(tools, "install-deps")], stdout=sys.stderr)
    for place in (shutil.which("mkswap"),) + MKSWAP_PLACES:
        if place and os.access(place, os.X_OK):
            return place
    raise RuntimeError("mkswap not found (install util-linux)")


def make(directory, size_text, label="run-elf-swap"):
    """Makes `directory`/swap.img: SIZE bytes, sparse, with a swap header. Returns its path."""
    path = os.path.join(directory, "swap.img")
    with open(path, "wb") as image:
        image.truncate(size_bytes(size_text))
    subprocess.run([mkswap_path(), "-L", label, path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return path
