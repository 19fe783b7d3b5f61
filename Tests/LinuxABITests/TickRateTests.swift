import Testing

@testable import LinuxABI

/// Tick ↔ nanosecond conversions at every rate, including the >18.4 GHz a disturbed boot
/// calibration produced (the old split formula trapped on overflow there).
@Suite struct TickRateTests {
  @Test func exactAtOrdinaryRates() {
    let rate = TickRate(perSecond: 2_460_000_000)
    #expect(rate.nanoseconds(ofTicks: 2_460_000_000) == 1_000_000_000)
    #expect(rate.nanoseconds(ofTicks: 246) == 100)
    #expect(rate.nanoseconds(ofTicks: 0) == 0)
    #expect(rate.ticks(ofNanoseconds: 100) == 246)
    #expect(rate.ticks(ofNanoseconds: 1) == 3)  // 2.46 rounded up
  }

  /// 36 GHz and a TSC about an hour after reset: `ticks % f × 10⁹` is above 2⁶⁴.
  @Test func rateAbove18GHzDoesNotOverflow() {
    let rate = TickRate(perSecond: 36_000_000_000)
    let ticks: UInt64 = 3_600 * 36_000_000_000 + 35_999_999_999
    #expect(rate.nanoseconds(ofTicks: ticks) == 3_600_999_999_999)
    #expect(TickRate(perSecond: 20_000_000_000).nanoseconds(ofTicks: 19_999_999_999) == 999_999_999)
  }

  @Test func extremesSaturateOrStayExact() {
    #expect(TickRate(perSecond: .max).nanoseconds(ofTicks: .max) == 1_000_000_000)
    #expect(TickRate(perSecond: 1).nanoseconds(ofTicks: .max) == .max)
    #expect(TickRate(perSecond: 0).perSecond == 1)
    #expect(TickRate(perSecond: .max).ticks(ofNanoseconds: .max) == .max)
  }

  @Test func agreesWith128BitArithmetic() {
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<1_000 {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let frequency = seed >> 20 | 1
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let ticks = seed >> 8
      let exact = UInt128(ticks) * 1_000_000_000 / UInt128(frequency)
      let expected = exact > UInt128(UInt64.max) ? UInt64.max : UInt64(exact)
      #expect(TickRate(perSecond: frequency).nanoseconds(ofTicks: ticks) == expected)
    }
  }

  /// The kernel's own 128-by-64 division against the standard library's.
  @Test func divisionMatchesTheStandardLibrary() {
    var seed: UInt64 = 12_345
    func next() -> UInt64 {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return seed
    }
    for round in 0..<20_000 {
      let divisor = max(next() >> (round % 64), 1)
      let high = next() % divisor
      let low = next()
      let expected = divisor.dividingFullWidth((high, low))
      let got = TickRate.divide(high: high, low: low, by: divisor)
      #expect(got.0 == expected.quotient && got.1 == expected.remainder)
    }
    #expect(TickRate.divide(high: 0, low: 7, by: 1) == (7, 0))
    #expect(TickRate.divide(high: UInt64.max - 1, low: .max, by: .max) == (.max, UInt64.max - 1))
  }
}
