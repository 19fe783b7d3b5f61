/// `alarm`, `setitimer`, `getitimer` (kernel/time/itimer.c) over the process's real-time
/// timer (`RealTimers`). ITIMER_VIRTUAL and ITIMER_PROF (CPU-time timers) are never armed
/// here: `getitimer` reports them disarmed and `setitimer` may disarm them, but arming one is
/// EINVAL (Kernel/PROCESSES.md).
enum TimerCalls {
  /// `alarm(seconds)`: a one-shot ITIMER_REAL (0 cancels); answers the seconds the old one
  /// had left, rounded as `alarm_setitimer` does (never 0 while one was pending).
  static func alarm(_ call: SystemCallArguments) -> UInt64 {
    let seconds = UInt64(UInt32(truncatingIfNeeded: call.a0))
    let old = RealTimers.set(
      ProcessRunner.current!, value: seconds * IntervalTimerRules.nanosecondsPerSecond,
      interval: 0)
    return IntervalTimerRules.alarmSeconds(reportedValue: old.value)
  }

  /// `getitimer(which, curr_value)`.
  static func getitimer(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let setting = try current(which: call.a0)
    try UserMemory.copyOut(
      IntervalTimerRules.itimerval(interval: setting.interval, value: setting.value), to: call.a1)
    return 0
  }

  /// `setitimer(which, new_value, old_value)`: a null `new_value` disarms (Linux's
  /// "misfeature", kept); the new value is read and checked first (EFAULT, EINVAL), the old
  /// one written last (EFAULT then, with the new one in force).
  static func setitimer(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    var value: UInt64 = 0
    var interval: UInt64 = 0
    if call.a1 != 0 { (interval, value) = try readItimerval(at: call.a1) }
    let which = call.a0 & 0xffff_ffff
    let old: RealTimers.Setting
    switch which {
    case IntervalTimerRules.ITIMER_REAL:
      old = RealTimers.set(ProcessRunner.current!, value: value, interval: interval)
    case IntervalTimerRules.ITIMER_VIRTUAL, IntervalTimerRules.ITIMER_PROF:
      guard value == 0 else { throw .EINVAL }  // CPU-time timers are not kept
      old = RealTimers.Setting(value: 0, interval: 0)
    default: throw .EINVAL
    }
    if call.a2 != 0 {
      try UserMemory.copyOut(
        IntervalTimerRules.itimerval(interval: old.interval, value: old.value), to: call.a2)
    }
    return 0
  }

  /// The setting of timer `which` (EINVAL for an unknown one).
  static func current(which: UInt64) throws(LinuxErrno) -> RealTimers.Setting {
    switch which & 0xffff_ffff {
    case IntervalTimerRules.ITIMER_REAL: return RealTimers.setting(of: ProcessRunner.current!)
    case IntervalTimerRules.ITIMER_VIRTUAL, IntervalTimerRules.ITIMER_PROF:
      return RealTimers.Setting(value: 0, interval: 0)
    default: throw .EINVAL
    }
  }

  /// A `struct itimerval` from user memory: (interval, value) in nanoseconds; EINVAL for an
  /// invalid `timeval` in either.
  static func readItimerval(at address: UInt64) throws(LinuxErrno) -> (UInt64, UInt64) {
    let wordSize: UInt64 = 8
    var words: [UInt64] = []
    for index in 0..<UInt64(4) {
      words.append(try UserMemory.readWord(at: address + index * wordSize))
    }
    guard let interval = IntervalTimerRules.nanoseconds(seconds: words[0], microseconds: words[1]),
      let value = IntervalTimerRules.nanoseconds(seconds: words[2], microseconds: words[3])
    else { throw .EINVAL }
    return (interval, value)
  }
}
