/// What `restart_syscall` (219) resumes: Linux's `struct restart_block`, kept on the thread
/// (`KernelThread.restartBlock`). A sleep or a poll with a timeout that a signal interrupts
/// answers `ERESTART_RESTARTBLOCK` and records here what it was waiting for; if no handler
/// runs, delivery restarts the thread with `restart_syscall`, which waits for the same
/// deadline — not the whole duration again. When a handler runs the call answers EINTR and
/// the record is left unused (the next interrupted call replaces it).
enum RestartBlock {
  /// Nothing to resume: `restart_syscall` answers EINTR (`do_no_restart_syscall`).
  case none
  /// A relative sleep (`nanosleep`, `clock_nanosleep` without TIMER_ABSTIME): until
  /// `deadline` on `source`, writing the time left to `remaining` (0: none) if interrupted
  /// again (`hrtimer_nanosleep_restart`).
  case sleep(source: TimeCalls.Source, deadline: UInt64, remaining: UInt64)
  /// A `poll` with a timeout: the same descriptors until the same monotonic deadline
  /// (`do_restart_poll`).
  case poll(entries: UInt64, count: UInt64, deadline: UInt64)
}

/// `restart_syscall`: resumes what the thread's restart block records, once.
enum RestartCalls {
  static func restartSyscall(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let thread = Processor.current.thread
    let block = thread.restartBlock
    thread.restartBlock = .none
    switch block {
    case .none: throw .EINTR
    case .sleep(let source, let deadline, let remaining):
      try SleepCalls.sleep(on: source, until: deadline, remaining: remaining)
      return 0
    case .poll(let entries, let count, let deadline):
      return try PollCalls.restartablePoll(entries: entries, count: count, deadline: deadline)
    }
  }
}
