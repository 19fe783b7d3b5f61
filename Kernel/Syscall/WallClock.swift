/// `CLOCK_REALTIME`: the CMOS clock's time at boot, carried forward by the monotonic clock.
///
/// The RTC is read once (its registers only change each second, and reading them waits out an
/// update), when `ProcessRunner.prepare` first asks, after the TSC is calibrated; from then on
/// the wall clock is that reading plus the monotonic time elapsed since. It is exact to the
/// second the RTC gives. Nothing sets it (`settimeofday`, `clock_settime` are not supported).
enum WallClock {
  /// The RTC's reading in nanoseconds since the epoch, and the monotonic clock at that moment.
  static let boot: (epochNanoseconds: UInt64, monotonic: UInt64) = (
    RealTimeClock.secondsSinceEpoch() * LinuxStructures.nanosecondsPerSecond,
    MonotonicClock.nanoseconds()
  )

  /// Nanoseconds since 1970-01-01 00:00:00 UTC.
  static func nanoseconds() -> UInt64 {
    boot.epochNanoseconds &+ (MonotonicClock.nanoseconds() &- boot.monotonic)
  }
}
