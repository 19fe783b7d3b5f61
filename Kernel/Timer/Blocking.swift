/// Waiting for time to pass without spinning: the system calls that wait (`nanosleep`,
/// `clock_nanosleep`, the timeouts of `poll`, `ppoll`, `select`, `pselect6`) block the running
/// thread with a deadline (`WaitQueue.wait(until:)`): other threads run meanwhile, or the CPU
/// halts until the timer interrupt at the deadline.
///
/// Only on a CPU without a usable local APIC is there nothing to wake a `hlt`; there, and only
/// there, the wait spins on the TSC as the kernel did before it had timer interrupts.
enum Blocking {
  /// Blocks until the monotonic clock reads `deadline` (nanoseconds since reset; `UInt64.max`
  /// is forever), or until the process is being killed (`.interrupted`).
  @discardableResult
  static func sleep(untilMonotonic deadline: UInt64) -> WakeReason {
    let nobody = WaitQueue()  // no one wakes a plain sleep: only its deadline or a kill
    while true {
      let reason = nobody.wait(until: deadline)
      if reason != .woken { return reason }
    }
  }

  /// Blocks until `source` reads `deadline`. Every clock here advances with the monotonic one
  /// (the wall clock is the RTC at boot plus the monotonic time and nothing sets it; the CPU
  /// clocks only advance while the process runs, so they reach the deadline no earlier than
  /// the monotonic clock does), so the deadline is at least as far on the monotonic clock; the
  /// loop re-checks `source` itself, so the wait never ends before it.
  @discardableResult
  static func sleep(on source: TimeCalls.Source, until deadline: UInt64) -> WakeReason {
    while true {
      let now = TimeCalls.now(source)
      guard now < deadline else { return .timedOut }
      let (monotonic, overflow) = MonotonicClock.nanoseconds().addingReportingOverflow(
        deadline - now)
      if sleep(untilMonotonic: overflow ? UInt64.max : monotonic) == .interrupted {
        return .interrupted
      }
    }
  }
}
