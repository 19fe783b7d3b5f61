"""rt_sigqueueinfo / rt_tgsigqueueinfo as Linux 6.1 (tests/programs/sigqueueinfo.c, musl): the
sender's siginfo reaches the receiver (si_signo replaced, si_errno, si_code and the union's
first 32 bytes kept, the rest zero); to another process only with si_code < 0 and not
SI_TKILL (EPERM); EFAULT first, E2BIG for an unknown si_code's extra bytes, ESRCH, EINVAL.

Before: both calls answered ENOSYS on our kernel."""

from test_programs import assert_lines, assert_no_fail, assert_status, binary


def test_queued_siginfo_is_passed_through_with_linuxs_checks(runner):
    result = runner.run(binary("musl", "sigqueueinfo"), [])
    assert_no_fail(result)
    assert_lines(result, [
        r"sigqueueinfo: to itself: siginfo passed through \(SI_QUEUE, SI_USER, SI_KERNEL\)",
        r"sigqueueinfo: errors: EFAULT, EINVAL, ESRCH, E2BIG as Linux",
        r"sigqueueinfo: from another process: EPERM unless si_code < 0 and not SI_TKILL",
        r"sigqueueinfo: all \d+ checks passed"])
    assert_status(result, 0)
