/// `nanosleep` and `clock_nanosleep`: with one process and no timer interrupt, sleeping is
/// waiting on the TSC until the deadline passes.
enum SleepCalls {
  /// `TIMER_ABSTIME`: the request is a deadline, not a duration.
  static let absoluteTime: UInt64 = 1
  /// `sizeof(struct timespec)`.
  static let timespecSize = 16

  static func nanosleep(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try sleep(request: call.a0, absolute: false)
    return 0
  }

  static func clockNanosleep(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a0 <= ProcessCalls.highestClock else { throw .EINVAL }
    try sleep(request: call.a2, absolute: call.a1 & absoluteTime != 0)
    return 0
  }

  /// Reads and checks the `timespec` at `request`, then waits.
  static func sleep(request: UInt64, absolute: Bool) throws(LinuxErrno) {
    let seconds = try UserMemory.readWord(at: request)
    let nanoseconds = try UserMemory.readWord(at: request + 8)
    guard Int64(bitPattern: seconds) >= 0, nanoseconds < LinuxStructures.nanosecondsPerSecond
    else { throw .EINVAL }
    let (scaled, overflow) = seconds.multipliedReportingOverflow(
      by: LinuxStructures.nanosecondsPerSecond)
    let duration = overflow ? UInt64.max : scaled &+ nanoseconds
    let now = MonotonicClock.nanoseconds()
    let deadline = absolute ? duration : now.addingReportingOverflow(duration).partialValue
    while MonotonicClock.nanoseconds() < deadline {}
  }
}
