import Testing

@testable import LinuxABI

/// Choosing the TSC's and the APIC timer's rates among PIT windows: windows disturbed at an
/// edge (the QEMU vCPU descheduled between the PIT's edge and the TSC's read) are rejected,
/// the median of the precise ones is taken, and the APIC rate comes from the same window.
@Suite struct ClockCalibrationTests {
  static let pitFrequency: UInt64 = 1_193_182
  static let pitTicks: UInt64 = 2_386  // 2 ms
  static let tsc: UInt64 = 2_445_432_000
  /// TSC ticks of a 2 ms PIT window at `tsc`.
  static let windowTicks = TickRate.scale(pitTicks, by: tsc, over: pitFrequency)

  /// A window starting at `at`, `ticks` long, each edge's bracket `edge` wide, with an APIC
  /// at 62.5 MHz counting from 1,000 ticks before the window to 1,000 after.
  func window(at: UInt64, ticks: UInt64 = windowTicks, edge: UInt64 = 4_000) -> CalibrationWindow {
    let apicTicks = ticks + 2_000
    return CalibrationWindow(
      start: TimestampBracket(before: at, after: at + edge),
      end: TimestampBracket(before: at + ticks, after: at + ticks + edge),
      apicStart: TimestampBracket(before: at - 1_000, after: at - 1_000 + 200),
      apicEnd: TimestampBracket(before: at + ticks + 1_000, after: at + ticks + 1_200),
      apicCounts: TickRate.scale(apicTicks, by: 62_500_000, over: Self.tsc))
  }

  func rates(_ windows: [CalibrationWindow]) -> ClockCalibration.Rates? {
    ClockCalibration.rates(of: windows, pitTicks: Self.pitTicks, pitFrequency: Self.pitFrequency)
  }

  func isClose(_ measured: UInt64, _ expected: UInt64, partsPerMillion: UInt64 = 100) -> Bool {
    let difference = measured > expected ? measured - expected : expected - measured
    return difference * 1_000_000 <= expected * partsPerMillion
  }

  @Test func quietWindowsGiveTheRates() throws {
    let found = try #require(rates([window(at: 10_000_000), window(at: 20_000_000)]))
    #expect(isClose(found.tsc.perSecond, Self.tsc))
    #expect(isClose(try #require(found.apic).perSecond, 62_500_000))
    #expect(found.preciseWindows == 2)
  }

  /// The end's poll seen 27 ms late: the 36 GHz window of the bug report, rejected.
  @Test func aWindowDisturbedAtAnEdgeIsRejected() throws {
    let late = Self.tsc / 1_000 * 27
    var disturbed = window(at: 30_000_000, ticks: Self.windowTicks + late)
    disturbed.end.before = 30_000_000 + Self.windowTicks - 2_000
    #expect(!disturbed.isPrecise)
    let found = try #require(rates([disturbed, window(at: 90_000_000), window(at: 99_000_000)]))
    #expect(isClose(found.tsc.perSecond, Self.tsc))
    #expect(found.preciseWindows == 2)
  }

  /// A disturbance the brackets do not show moves one window; the median ignores it.
  @Test func theMedianOfPreciseWindowsIsTaken() throws {
    let windows = [
      window(at: 1_000_000), window(at: 9_000_000, ticks: Self.windowTicks * 3),
      window(at: 30_000_000),
    ]
    #expect(windows.allSatisfy { $0.isPrecise })
    let found = try #require(rates(windows))
    #expect(isClose(found.tsc.perSecond, Self.tsc))
  }

  @Test func anAPICStartDisturbedMakesTheWindowImprecise() {
    var disturbed = window(at: 50_000_000)
    disturbed.apicStart = TimestampBracket(before: 40_000_000, after: 49_999_000)
    #expect(!disturbed.isPrecise)
  }

  @Test func withoutAPreciseWindowTheNarrowestIsTaken() throws {
    let wide = window(at: 10_000_000, edge: 100_000)
    let wider = window(at: 20_000_000, ticks: Self.windowTicks * 2, edge: 400_000)
    #expect(!wide.isPrecise && !wider.isPrecise)
    #expect(ClockCalibration.choose([wider, wide]) == wide)
    #expect(try #require(rates([wider, wide])).preciseWindows == 0)
  }

  @Test func noWindowNoRates() {
    #expect(rates([]) == nil)
    let noAPIC = CalibrationWindow(
      start: TimestampBracket(before: 0, after: 10),
      end: TimestampBracket(before: Self.windowTicks, after: Self.windowTicks + 10))
    #expect(noAPIC.isPrecise)
    #expect(rates([noAPIC])?.apic == nil)
  }
}
