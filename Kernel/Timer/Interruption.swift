/// What a blocking call answers when its wait ends `.interrupted`.
///
/// Two things interrupt a wait: a kill (the process is ending: its `pendingKill`; the answer
/// is never seen, the process ends on its way out) and a signal that became deliverable to the
/// thread (signal delivery wakes it). For a signal the call answers the kernel-internal restart
/// code Linux's does — `ERESTARTSYS` (read/write of a pipe, wait4/waitid), `ERESTARTNOHAND`
/// (poll/select, pause, rt_sigsuspend, an absolute clock_nanosleep), `ERESTART_RESTARTBLOCK`
/// (a relative nanosleep, a poll with a timeout: resumed by `restart_syscall`) — and delivery,
/// on the way back to user mode, turns it into EINTR or a restart (Kernel/PROCESSES.md,
/// "Interrupted calls"). A restart code never reaches a program.
enum Interruption {
  /// The answer for an interrupted wait that Linux would restart with `code`.
  /// The way back to user mode is asked to look (`requestAttention`): delivery must convert
  /// the code even when the signal was already pending (made deliverable by the call's own
  /// mask, as `rt_sigsuspend`'s), not sent during the wait.
  static func answer(restarting code: LinuxErrno) -> LinuxErrno {
    guard let process = ProcessRunner.current, process.pendingKill == nil else { return .EINTR }
    Scheduler.shared.requestAttention(Processor.current.thread)
    return code
  }
}
