"""What execve keeps of the signal state, as Linux 6.1 (tests/programs/exec_signal_state.c,
musl): no alternate signal stack in the new image (SS_DISABLE), the blocked mask and every
pending signal kept (a process-directed SIGCHLD too, though its caught disposition became the
default-ignored SIG_DFL: only unblocking discards it), caught signals SIG_DFL with no flags
and no handler mask, SIG_IGN kept; the pending SIGUSR1 kills once unblocked (138).

Before the fix our kernel kept the old program's alternate stack (flags 0, its address and
size) and discarded the pending SIGCHLD at the exec."""

from test_programs import assert_lines, assert_no_fail, assert_status, binary


def test_exec_drops_the_alternate_stack_and_keeps_mask_and_pending(runner):
    result = runner.run(binary("musl", "exec_signal_state"), [])
    assert_no_fail(result)
    assert_lines(result, [
        r"exec_signal_state: alternate stack after exec: flags 0x2 sp (0|\(nil\)) size 0",
        r"exec_signal_state: mask kept: USR1 1 CHLD 1; pending: USR1 1 CHLD 1",
        r"exec_signal_state: caught signals SIG_DFL, ignored SIG_IGN",
        r"exec_signal_state: all \d+ checks passed"])
    assert_status(result, 128 + 10)
