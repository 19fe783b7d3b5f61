"""tests/programs/file_mmap_coherence.c: one set of frames behind read, write and every mapping
of a file (issue 11 §2): shared stores seen by read() and write()s by the mappings at once, a
private page following the file until its first store copies it, shared and private stores
across fork, SIGBUS (BUS_ADRERR, exact si_addr) past the end after ftruncate shrinks a mapped
file and valid zero-filled pages after it grows, an unlinked file living while mapped.
Natively (Linux's answers, in the host's /tmp) and on our kernel (its tmpfs /tmp)."""

from test_programs import assert_lines, assert_no_fail, assert_status, binary


def test_file_pages_are_one_set_of_frames(runner):
    result = runner.run(binary("musl", "file_mmap_coherence"))
    assert_no_fail(result)
    assert_lines(result, [r"file_mmap_coherence: \d+ checks, 0 failed"])
    assert_status(result, 0)
