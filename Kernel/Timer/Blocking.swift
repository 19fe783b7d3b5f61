/// Waiting for time to pass without spinning: the system calls that wait (`nanosleep`,
/// `clock_nanosleep`, the timeouts of `poll`, `ppoll`, `select`, `pselect6`) block the running
/// process on the CPU's `EventTimer`, which halts the CPU until the deadline.
///
/// Only on a CPU without a usable local APIC is there nothing to wake a `hlt`; there, and only
/// there, the wait spins on the TSC as the kernel did before it had timer interrupts.
enum Blocking {
  /// Blocks until the monotonic clock reads `deadline` (nanoseconds since reset; `UInt64.max`
  /// is forever).
  static func sleep(untilMonotonic deadline: UInt64) {
    guard let timer = EventTimer.local else {
      while MonotonicClock.nanoseconds() < deadline {}
      return
    }
    timer.block(until: deadline)
  }

  /// Blocks until `source` reads `deadline`. Every clock here advances with the monotonic one
  /// (the wall clock is the RTC at boot plus the monotonic time and nothing sets it; the CPU
  /// clocks count all the time since the process entered ring 3), so the deadline is the same
  /// distance away on the monotonic clock; the loop re-checks `source` itself, so the wait
  /// never ends before it.
  static func sleep(on source: TimeCalls.Source, until deadline: UInt64) {
    while true {
      let now = TimeCalls.now(source)
      guard now < deadline else { return }
      let (monotonic, overflow) = MonotonicClock.nanoseconds().addingReportingOverflow(
        deadline - now)
      sleep(untilMonotonic: overflow ? UInt64.max : monotonic)
    }
  }
}
