"""Builds the boot modules of tools/run-elf (and tools/run-linux): a cpio "newc" archive for
the root file system, and the kernel's launch record (Sources/LinuxABI/FileSystem).

Plain Python, no cpio tool. The archive format is Linux's initramfs buffer format
(Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte ASCII header of
"070701" and thirteen 8-digit hex fields, the NUL-terminated name, padding to 4 bytes, the
data, padding to 4 bytes; "TRAILER!!!" ends it.
"""
import os
import stat
import struct

MAGIC = b"070701"
TRAILER = "TRAILER!!!"
DIRECTORY_MODE = stat.S_IFDIR | 0o755
# LaunchRecord.magic and header (Sources/LinuxABI/FileSystem/LaunchRecord.swift).
LAUNCH_MAGIC = b"RUNELF\x00\x01"


def _pad(data):
    return data + b"\0" * (-len(data) % 4)


class Archive:
    """A newc archive built in memory; parent directories are added before their entries."""

    def __init__(self):
        self.parts = []
        self.inode = 1
        self.directories = set()

    def add(self, name, mode, data=b"", rdev=(0, 0), mtime=0):
        name = name.encode() if isinstance(name, str) else name
        fields = [self.inode, mode, 0, 0, 1, mtime, len(data), 0, 0, rdev[0], rdev[1],
                  len(name) + 1, 0]
        self.inode += 1
        header = MAGIC + b"".join(b"%08x" % (field & 0xffffffff) for field in fields)
        self.parts.append(_pad(header + name + b"\0") + _pad(data))

    def parents(self, path):
        """Adds the directories leading to `path` (relative, '/'-separated) not yet added."""
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directory = "/".join(parts[:depth])
            if directory and directory not in self.directories:
                self.directories.add(directory)
                self.add(directory, DIRECTORY_MODE)

    def host_file(self, host_path, name):
        """The host file `host_path` (symlinks followed) as `name`."""
        info = os.stat(host_path)
        with open(host_path, "rb") as handle:
            data = handle.read()
        self.parents(name)
        self.add(name, stat.S_IFREG | stat.S_IMODE(info.st_mode), data, mtime=int(info.st_mtime))

    def tree(self, root):
        """Everything under the host directory `root` (files, directories, symlinks with
        their modes; character devices with their numbers), as the archive's root."""
        self.add(".", stat.S_IFDIR | stat.S_IMODE(os.stat(root).st_mode))
        for directory, subdirectories, files in os.walk(root):
            subdirectories.sort()
            for entry in sorted(subdirectories) + sorted(files):
                host = os.path.join(directory, entry)
                name = os.path.relpath(host, root)
                info = os.lstat(host)
                mtime = int(info.st_mtime)
                if stat.S_ISLNK(info.st_mode):
                    self.add(name, info.st_mode, os.fsencode(os.readlink(host)), mtime=mtime)
                elif stat.S_ISDIR(info.st_mode):
                    self.directories.add(name)
                    self.add(name, info.st_mode, mtime=mtime)
                elif stat.S_ISREG(info.st_mode):
                    with open(host, "rb") as handle:
                        self.add(name, info.st_mode, handle.read(), mtime=mtime)
                elif stat.S_ISCHR(info.st_mode):
                    rdev = (os.major(info.st_rdev), os.minor(info.st_rdev))
                    self.add(name, info.st_mode, rdev=rdev, mtime=mtime)

    def bytes(self):
        trailer = Archive()
        trailer.add(TRAILER, 0)
        return b"".join(self.parts) + trailer.parts[0]


def launch_record(path, argv, stdin):
    """The kernel's launch record: program path, argv (bytes), standard input."""
    encode = lambda word: word if isinstance(word, bytes) else os.fsencode(word)
    strings = b"".join(encode(word) + b"\0" for word in [path] + list(argv))
    return LAUNCH_MAGIC + struct.pack("<IIQ", len(argv), 0, len(stdin)) + strings + stdin
