"""Issue 11's leftovers, from inside a process (natively — the host's Linux — and on our
kernel): tests/programs/proc_files.c reads /proc/self/smaps, smaps_rollup, pagemap, mounts,
/proc/filesystems, /proc/sys and meminfo's file-page lines under a 32 MiB tmpfs file;
exec_text_busy.c checks ETXTBSY (a running program's file cannot be written or truncated, a
file open for writing cannot be executed); file_mmap_maxprot.c checks that a MAP_SHARED
mapping of a file opened read-only can never be made writable (mprotect: EACCES) and shows
`s` in maps. Before this work our kernel failed all three: no smaps/pagemap/mounts/sys files,
writes to a running program allowed (the running copy was killed with SIGBUS when its file was
truncated), and mprotect(PROT_WRITE) on such a mapping succeeded."""

from test_programs import assert_lines, assert_no_fail, assert_status, binary


def passes(result, name):
    assert_no_fail(result)
    assert_lines(result, [name + r": \d+ checks, 0 failed"])
    assert_status(result, 0)


def test_proc_smaps_pagemap_mounts_sys_and_meminfo(runner):
    passes(runner.run(binary("musl", "proc_files"), timeout=240), "proc_files")


def test_a_running_programs_file_is_busy(runner):
    passes(runner.run(binary("musl", "exec_text_busy")), "exec_text_busy")


def test_a_read_only_shared_mapping_never_becomes_writable(runner):
    passes(runner.run(binary("musl", "file_mmap_maxprot")), "file_mmap_maxprot")
