/// Two TSC reads around one event: it happened somewhere in between.
public struct TimestampBracket: Equatable, Sendable {
  public var before: UInt64
  public var after: UInt64

  public init(before: UInt64, after: UInt64) {
    self.before = before
    self.after = max(after, before)
  }

  public var midpoint: UInt64 { before + (after - before) / 2 }
  /// How far the event can be from `midpoint`, in ticks.
  public var halfWidth: UInt64 { (after - before + 1) / 2 }
}

/// One calibration window as the TSC saw it: a PIT countdown of `pitTicks` whose start (the
/// count's write) and end (the first poll that saw OUT high) are each bracketed by TSC reads,
/// and optionally the local APIC timer counting `apicCounts` between its own two brackets.
///
/// The brackets are what makes a window trustworthy: under QEMU TCG on a loaded host the vCPU
/// thread can be descheduled for milliseconds; both the PIT and the TSC follow the host's
/// clock, so a pause inside the window costs nothing, but one at an edge (between the poll and
/// the TSC read) widens that edge's bracket by the pause — and that is visible.
public struct CalibrationWindow: Equatable, Sendable {
  public var start: TimestampBracket
  public var end: TimestampBracket
  public var apicStart: TimestampBracket?
  public var apicEnd: TimestampBracket?
  public var apicCounts: UInt64

  public init(
    start: TimestampBracket, end: TimestampBracket, apicStart: TimestampBracket? = nil,
    apicEnd: TimestampBracket? = nil, apicCounts: UInt64 = 0
  ) {
    self.start = start
    self.end = end
    self.apicStart = apicStart
    self.apicEnd = apicEnd
    self.apicCounts = apicCounts
  }

  /// TSC ticks the PIT countdown took.
  public var tscTicks: UInt64 { end.midpoint &- start.midpoint }
  /// The most `tscTicks` can be off by.
  public var tscError: UInt64 { start.halfWidth + end.halfWidth }
  /// TSC ticks between the APIC timer's start and its reading, and the most they can be off.
  public var apicTscTicks: UInt64? {
    guard let apicStart, let apicEnd, apicEnd.midpoint > apicStart.midpoint else { return nil }
    return apicEnd.midpoint - apicStart.midpoint
  }
  public var apicError: UInt64 { (apicStart?.halfWidth ?? 0) + (apicEnd?.halfWidth ?? 0) }

  /// Whether both measurements are known to within 1 / `ClockCalibration.tolerance`.
  public var isPrecise: Bool {
    guard tscTicks > 0,
      tscError.multipliedReportingOverflow(by: ClockCalibration.tolerance).partialValue
        <= tscTicks
    else { return false }
    guard apicStart != nil else { return true }
    guard let apicTscTicks, apicCounts > 0 else { return false }
    return apicError.multipliedReportingOverflow(by: ClockCalibration.tolerance).partialValue
      <= apicTscTicks
  }
}

/// Chooses the TSC's and the APIC timer's rates from several calibration windows.
///
/// Windows whose brackets are wider than 1 / `tolerance` of their length are rejected (Linux's
/// `pit_calibrate_tsc` likewise discards a window whose PIT reads took too long); of the
/// precise ones the median by TSC length is taken, so one window that is wrong in a way the
/// brackets did not show cannot move the result either. With no precise window at all, the
/// one with the narrowest brackets. Both rates come from the same window, so they agree.
public enum ClockCalibration {
  /// 1/500 (0.2%, 4 µs of a 2 ms window): under TCG one edge's bracket is two port reads
  /// (1-3 µs), and at 1/1000 half the windows of a loaded host's boot failed on that jitter
  /// alone; a pause of the vCPU at an edge (the 2.5-15x errors) is hundreds of times above it.
  /// The bound is on the worst case: the midpoints' error is far smaller (the chosen windows
  /// agreed to 0.002% under load).
  public static let tolerance: UInt64 = 500

  /// The rates measured: TSC ticks and APIC counts per second (nil without an APIC reading).
  public struct Rates: Equatable, Sendable {
    public var tsc: TickRate
    public var apic: TickRate?
    /// How many of the windows were precise.
    public var preciseWindows: Int
  }

  /// The chosen window of `windows` (nil when empty).
  public static func choose(_ windows: [CalibrationWindow]) -> CalibrationWindow? {
    let precise = windows.filter { $0.isPrecise }.sorted { $0.tscTicks < $1.tscTicks }
    if !precise.isEmpty { return precise[(precise.count - 1) / 2] }
    return windows.min { $0.tscError + $0.apicError < $1.tscError + $1.apicError }
  }

  /// The rates from `windows`, each a countdown of `pitTicks` of a PIT clocked at
  /// `pitFrequency` Hz; nil when there is no window or the chosen one measured nothing.
  public static func rates(
    of windows: [CalibrationWindow], pitTicks: UInt64, pitFrequency: UInt64
  ) -> Rates? {
    guard let window = choose(windows), window.tscTicks > 0, pitTicks > 0 else { return nil }
    let tsc = TickRate(
      perSecond: TickRate.scale(window.tscTicks, by: pitFrequency, over: pitTicks))
    let apic = window.apicTscTicks.flatMap { ticks in
      window.apicCounts > 0
        ? TickRate(perSecond: TickRate.scale(window.apicCounts, by: tsc.perSecond, over: ticks))
        : nil
    }
    return Rates(tsc: tsc, apic: apic, preciseWindows: windows.filter { $0.isPrecise }.count)
  }
}
