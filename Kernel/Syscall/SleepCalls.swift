/// `nanosleep` and `clock_nanosleep`: the thread blocks until the clock reaches the deadline
/// (`Blocking`: other threads run or the CPU halts; the local APIC timer wakes it).
///
/// Interrupted by a signal, a relative sleep writes the time left to `rem` and answers
/// `ERESTART_RESTARTBLOCK` (EINTR once a handler runs; without one `restart_syscall` sleeps
/// on to the same deadline), an absolute one answers `ERESTARTNOHAND` (restarted as it was),
/// as Linux's `do_nanosleep`.
enum SleepCalls {
  /// `TIMER_ABSTIME`: the request is a deadline, not a duration.
  static let absoluteTime: UInt64 = 1
  /// `sizeof(struct timespec)`.
  static let timespecSize = 16

  static func nanosleep(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try sleep(on: .monotonic, request: call.a0, absolute: false, remaining: call.a1)
    return 0
  }

  /// Linux's clocks with an `nsleep`: the wall, monotonic, boot-time, TAI and alarm clocks and
  /// the process's CPU clock; the raw and coarse clocks and the thread CPU clock have none
  /// (EOPNOTSUPP), nor has a per-thread dynamic CPU clock of oneself (EINVAL).
  static func clockNanosleep(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let clock = Int32(truncatingIfNeeded: call.a0)
    let source = try TimeCalls.clock(call.a0).source
    switch clock {
    case TimeCalls.Clock.threadCPUTime, TimeCalls.Clock.monotonicRaw,
      TimeCalls.Clock.realtimeCoarse, TimeCalls.Clock.monotonicCoarse:
      throw .EOPNOTSUPP
    case ..<0 where clock & TimeCalls.cpuClockPerThread != 0: throw .EINVAL
    default: break
    }
    try sleep(
      on: source, request: call.a2, absolute: call.a1 & absoluteTime != 0, remaining: call.a3)
    return 0
  }

  /// Reads and checks the `timespec` at `request`, then blocks until `source` reaches it.
  static func sleep(
    on source: TimeCalls.Source, request: UInt64, absolute: Bool, remaining: UInt64
  ) throws(LinuxErrno) {
    let seconds = try UserMemory.readWord(at: request)
    let nanoseconds = try UserMemory.readWord(at: request + 8)
    guard Int64(bitPattern: seconds) >= 0, nanoseconds < LinuxStructures.nanosecondsPerSecond
    else { throw .EINVAL }
    let (scaled, overflow) = seconds.multipliedReportingOverflow(
      by: LinuxStructures.nanosecondsPerSecond)
    let duration = overflow ? UInt64.max : scaled &+ nanoseconds
    let now = TimeCalls.now(source)
    let (sum, late) = now.addingReportingOverflow(duration)
    let deadline = absolute ? duration : late ? UInt64.max : sum
    guard !absolute else {
      guard Blocking.sleep(on: source, until: deadline) == .interrupted else { return }
      throw Interruption.answer(restarting: .ERESTARTNOHAND)
    }
    try sleep(on: source, until: deadline, remaining: remaining)
  }

  /// A relative sleep until `deadline` on `source` (also what `restart_syscall` resumes).
  /// Interrupted by a signal with time left: the time left goes to `remaining` (if not 0;
  /// EFAULT if it cannot be written), the restart block records the deadline, and the answer
  /// is `ERESTART_RESTARTBLOCK`. A kill's EINTR is never seen.
  static func sleep(on source: TimeCalls.Source, until deadline: UInt64, remaining: UInt64)
    throws(LinuxErrno)
  {
    guard Blocking.sleep(on: source, until: deadline) == .interrupted else { return }
    let answer = Interruption.answer(restarting: .ERESTART_RESTARTBLOCK)
    guard answer == .ERESTART_RESTARTBLOCK else { throw answer }
    let now = TimeCalls.now(source)
    guard deadline > now else { return }  // the time was up anyway: the sleep is done
    if remaining != 0 {
      try UserMemory.copyOut(LinuxStructures.timespec(nanoseconds: deadline - now), to: remaining)
    }
    Processor.current.thread.restartBlock = .sleep(
      source: source, deadline: deadline, remaining: remaining)
    throw .ERESTART_RESTARTBLOCK
  }
}
