/// Linux's rules for the values `setitimer`, `getitimer` and `alarm` exchange
/// (kernel/time/itimer.c, Linux 6.1): how a `struct itimerval` is checked and converted, and how
/// the time left on an armed timer is reported. Host-tested; the kernel's `RealTimers` keeps
/// the timers themselves.
public enum IntervalTimerRules {
  /// `which` of `setitimer`/`getitimer` (linux/time.h).
  public static let ITIMER_REAL: UInt64 = 0
  public static let ITIMER_VIRTUAL: UInt64 = 1
  public static let ITIMER_PROF: UInt64 = 2
  /// `sizeof(struct itimerval)`: `it_interval` then `it_value`, each a `timeval` of two longs.
  public static let itimervalByteCount: UInt64 = 32
  /// `USEC_PER_SEC`, `NSEC_PER_USEC`, `NSEC_PER_SEC`.
  public static let microsecondsPerSecond: UInt64 = 1_000_000
  public static let nanosecondsPerMicrosecond: UInt64 = 1000
  public static let nanosecondsPerSecond: UInt64 = 1_000_000_000
  /// `KTIME_MAX`: the longest time a `ktime_t` holds; longer values are clamped to it
  /// (`ktime_set`).
  public static let longestNanoseconds = UInt64(Int64.max)

  /// A `timeval` (two words as read from user memory) in nanoseconds, or nil when
  /// `timeval_valid` refuses it (negative seconds, microseconds outside 0 ..< 1,000,000): the
  /// caller answers EINVAL.
  public static func nanoseconds(seconds: UInt64, microseconds: UInt64) -> UInt64? {
    guard Int64(bitPattern: seconds) >= 0, microseconds < microsecondsPerSecond else {
      return nil
    }
    let (scaled, overflow) = seconds.multipliedReportingOverflow(by: nanosecondsPerSecond)
    guard !overflow, scaled <= longestNanoseconds - microseconds * nanosecondsPerMicrosecond
    else { return longestNanoseconds }
    return scaled + microseconds * nanosecondsPerMicrosecond
  }

  /// What `getitimer` reports as `it_value` for a timer with `remaining` nanoseconds left
  /// (nil: not armed). An armed timer whose expiry is due but not yet handled reports one
  /// microsecond, never zero: zero means disarmed (`itimer_get_remtime`).
  public static func reportedValue(remaining: UInt64?) -> UInt64 {
    guard let remaining else { return 0 }
    return remaining == 0 ? nanosecondsPerMicrosecond : remaining
  }

  /// A `timeval` image's two words for `nanoseconds`: the microseconds truncated
  /// (`ns_to_kernel_old_timeval` of a `timespec64`).
  public static func timevalWords(_ nanoseconds: UInt64) -> (UInt64, UInt64) {
    (
      nanoseconds / nanosecondsPerSecond,
      nanoseconds % nanosecondsPerSecond / nanosecondsPerMicrosecond
    )
  }

  /// `struct itimerval` bytes: `it_interval`, then `it_value`.
  public static func itimerval(interval: UInt64, value: UInt64) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(itimervalByteCount))
    let (intervalSeconds, intervalMicroseconds) = timevalWords(interval)
    let (valueSeconds, valueMicroseconds) = timevalWords(value)
    for word in [intervalSeconds, intervalMicroseconds, valueSeconds, valueMicroseconds] {
      for shift in stride(from: 0, to: 64, by: 8) {
        bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
      }
    }
    return bytes
  }

  /// `alarm`'s answer for the old timer's reported value (`reportedValue`, nanoseconds): whole
  /// seconds, rounded to the nearest, except that a timer with less than a second left still
  /// answers 1 — `alarm` must not answer 0 while an alarm is pending (`alarm_setitimer`).
  public static func alarmSeconds(reportedValue value: UInt64) -> UInt64 {
    let seconds = value / nanosecondsPerSecond
    let fraction = value % nanosecondsPerSecond
    let roundsUp = (seconds == 0 && fraction != 0) || fraction >= nanosecondsPerSecond / 2
    return roundsUp ? seconds + 1 : seconds
  }

  /// The expiry after `deadline` for a timer with period `interval` that is re-armed at
  /// `now`: the first point of the timer's grid (deadline + k · interval) later than `now`
  /// (`hrtimer_forward`), so a late re-arm skips the expiries it missed instead of catching
  /// up on them.
  public static func nextExpiry(after deadline: UInt64, interval: UInt64, now: UInt64) -> UInt64 {
    precondition(interval > 0, "a one-shot timer is never re-armed")
    guard now >= deadline else { return deadline }
    let missed = (now - deadline) / interval + 1
    let (step, overflow) = missed.multipliedReportingOverflow(by: interval)
    let (next, late) = deadline.addingReportingOverflow(step)
    return overflow || late ? UInt64.max : next
  }
}
