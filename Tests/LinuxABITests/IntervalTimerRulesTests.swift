import LinuxABI
import Testing

/// Linux 6.1's itimer arithmetic (kernel/time/itimer.c): what `setitimer` accepts, what
/// `getitimer` and `alarm` report. The same answers are checked on a real kernel by
/// tests/programs/signal_waits.c.
@Suite struct IntervalTimerRulesTests {
  @Test func timevalsAreCheckedAsTimevalValid() {
    #expect(IntervalTimerRules.nanoseconds(seconds: 1, microseconds: 500_000) == 1_500_000_000)
    #expect(IntervalTimerRules.nanoseconds(seconds: 0, microseconds: 999_999) == 999_999_000)
    #expect(IntervalTimerRules.nanoseconds(seconds: 0, microseconds: 1_000_000) == nil)
    #expect(IntervalTimerRules.nanoseconds(seconds: 0, microseconds: UInt64(bitPattern: -1)) == nil)
    #expect(IntervalTimerRules.nanoseconds(seconds: UInt64(bitPattern: -1), microseconds: 0) == nil)
    // Beyond KTIME_MAX the value is clamped, not refused.
    #expect(
      IntervalTimerRules.nanoseconds(seconds: UInt64(Int64.max), microseconds: 0)
        == UInt64(Int64.max))
  }

  @Test func anArmedTimerNeverReportsZero() {
    #expect(IntervalTimerRules.reportedValue(remaining: nil) == 0)
    #expect(IntervalTimerRules.reportedValue(remaining: 0) == 1000)
    #expect(IntervalTimerRules.reportedValue(remaining: 1_234_567) == 1_234_567)
  }

  @Test func itimervalTruncatesToMicroseconds() {
    let image = IntervalTimerRules.itimerval(interval: 2_000_001_999, value: 999)
    #expect(image.count == 32)
    #expect(image[0] == 2 && image[8] == 1 && image[16] == 0 && image[24] == 0)
  }

  /// `alarm_setitimer`: round to the nearest second, but under a second left is 1.
  @Test func alarmRoundsAsLinux() {
    #expect(IntervalTimerRules.alarmSeconds(reportedValue: 0) == 0)
    #expect(IntervalTimerRules.alarmSeconds(reportedValue: 1000) == 1)
    #expect(IntervalTimerRules.alarmSeconds(reportedValue: 400_000_000) == 1)
    #expect(IntervalTimerRules.alarmSeconds(reportedValue: 1_400_000_000) == 1)
    #expect(IntervalTimerRules.alarmSeconds(reportedValue: 1_500_000_000) == 2)
    #expect(IntervalTimerRules.alarmSeconds(reportedValue: 4_999_999_000) == 5)
  }

  @Test func reArmingSkipsMissedExpiries() {
    #expect(IntervalTimerRules.nextExpiry(after: 100, interval: 10, now: 100) == 110)
    #expect(IntervalTimerRules.nextExpiry(after: 100, interval: 10, now: 105) == 110)
    #expect(IntervalTimerRules.nextExpiry(after: 100, interval: 10, now: 135) == 140)
    #expect(IntervalTimerRules.nextExpiry(after: 100, interval: 10, now: 90) == 100)
    #expect(IntervalTimerRules.nextExpiry(after: 100, interval: UInt64.max, now: 200) == UInt64.max)
  }
}
