/// A counter's rate (TSC ticks or local-APIC timer counts per second) and the conversions
/// between its counts and time.
///
/// Every conversion is `value × multiplier / divisor` computed on the full 128-bit product
/// (`multipliedFullWidth` + `dividingFullWidth`), so it cannot overflow for any rate or count:
/// the split `ticks / f × 10⁹ + ticks % f × 10⁹ / f` it replaces still overflowed in its second
/// term once `f` exceeded 2⁶⁴ / 10⁹ ≈ 18.4 GHz (a mis-calibrated TSC did: a #UD in the timer
/// interrupt). A result that does not fit 64 bits saturates at `UInt64.max` (585 years of
/// nanoseconds: a deadline that never comes, not a trap).
public struct TickRate: Equatable, Sendable {
  /// Counts per second, never 0.
  public let perSecond: UInt64

  public static let nanosecondsPerSecond: UInt64 = 1_000_000_000

  public init(perSecond: UInt64) {
    self.perSecond = max(perSecond, 1)
  }

  /// `ticks` in nanoseconds, rounded down.
  public func nanoseconds(ofTicks ticks: UInt64) -> UInt64 {
    Self.scale(ticks, by: Self.nanosecondsPerSecond, over: perSecond)
  }

  /// The counts that take `nanoseconds`, rounded up (a timer armed with them never fires
  /// early by rounding).
  public func ticks(ofNanoseconds nanoseconds: UInt64) -> UInt64 {
    Self.scale(nanoseconds, by: perSecond, over: Self.nanosecondsPerSecond, roundingUp: true)
  }

  /// `value × multiplier / divisor` (divisor > 0) on the 128-bit product, rounded down or up,
  /// saturating at `UInt64.max`.
  public static func scale(
    _ value: UInt64, by multiplier: UInt64, over divisor: UInt64, roundingUp: Bool = false
  ) -> UInt64 {
    let divisor = max(divisor, 1)
    let product = value.multipliedFullWidth(by: multiplier)
    // The quotient fits 64 bits exactly when high < divisor.
    guard product.high < divisor else { return .max }
    let (quotient, remainder) = divide(high: product.high, low: product.low, by: divisor)
    guard roundingUp, remainder != 0 else { return quotient }
    return quotient == .max ? .max : quotient + 1
  }

  /// (high·2⁶⁴ + low) / divisor and its remainder, for high < divisor: the standard library's
  /// `dividingFullWidth` calls compiler-rt's `__udivti3`, which the kernel does not link, so
  /// this is the schoolbook division in two 32-bit digits with 64-bit divides (Knuth's
  /// algorithm D as in Hacker's Delight's `divlu`): normalise so the divisor's top bit is set,
  /// estimate each quotient digit from the top digits, correct it at most twice.
  static func divide(high: UInt64, low: UInt64, by divisor: UInt64) -> (UInt64, UInt64) {
    let base: UInt64 = 1 << 32
    let digitMask = base - 1
    let shift = UInt64(divisor.leadingZeroBitCount)
    let normalised = divisor << shift
    let divisorHigh = normalised >> 32
    let divisorLow = normalised & digitMask
    let top = shift == 0 ? high : high << shift | low >> (64 - shift)
    let bottom = low << shift
    let (quotientHigh, partial) = digit(
      of: top, next: bottom >> 32, normalised: normalised, divisorHigh: divisorHigh,
      divisorLow: divisorLow)
    let (quotientLow, rest) = digit(
      of: partial, next: bottom & digitMask, normalised: normalised, divisorHigh: divisorHigh,
      divisorLow: divisorLow)
    return (quotientHigh << 32 | quotientLow, rest >> shift)
  }

  /// One 32-bit quotient digit of (`dividend`·2³² + `next`) / `normalised`, and the remainder.
  private static func digit(
    of dividend: UInt64, next: UInt64, normalised: UInt64, divisorHigh: UInt64,
    divisorLow: UInt64
  ) -> (UInt64, UInt64) {
    let base: UInt64 = 1 << 32
    var quotient = dividend / divisorHigh
    var remainder = dividend - quotient * divisorHigh
    while quotient >= base || quotient * divisorLow > remainder << 32 | next {
      quotient -= 1
      remainder += divisorHigh
      if remainder >= base { break }
    }
    return (quotient, (dividend << 32 | next) &- quotient &* normalised)
  }
}
