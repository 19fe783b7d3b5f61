/// A half-open range of physical byte addresses `[start, end)`.
///
/// Firmware ranges are neither sorted nor frame-aligned, and `start + length` of a corrupt entry
/// can overflow, so construction clamps to the architectural address limit instead of trapping: a
/// bad entry becomes a smaller (possibly empty) range, never a crash at boot.
public struct PhysicalRange: Hashable, Sendable, CustomStringConvertible {
  /// The first address.
  public let start: UInt64
  /// One past the last address; never below `start`.
  public let end: UInt64

  /// One past the highest physical address x86_64 can name (2^52).
  public static let addressLimit: UInt64 = 1 << PhysicalAddress.maximumBits

  /// The range of `length` bytes at `start`, clamped to `addressLimit`.
  @inlinable public init(start: UInt64, length: UInt64) {
    let (sum, overflow) = start.addingReportingOverflow(length)
    self.init(start: start, end: overflow ? PhysicalRange.addressLimit : sum)
  }

  /// The range `[start, end)`, clamped to `addressLimit`; empty when `end <= start`.
  @inlinable public init(start: UInt64, end: UInt64) {
    let clampedStart = min(start, PhysicalRange.addressLimit)
    self.start = clampedStart
    self.end = max(clampedStart, min(end, PhysicalRange.addressLimit))
  }

  /// The bytes of `count` whole frames starting at `first`.
  @inlinable public init(first: PhysicalFrame, count: UInt64) {
    let shift = PageSize.size4KiB.shift
    let frameLimit = PhysicalRange.addressLimit >> shift
    let firstNumber = min(first.number, frameLimit)
    let endNumber = firstNumber + min(count, frameLimit - firstNumber)
    self.init(start: firstNumber << shift, end: endNumber << shift)
  }

  /// The length in bytes.
  @inlinable public var length: UInt64 { end - start }

  /// Whether the range holds no address.
  @inlinable public var isEmpty: Bool { start == end }

  /// The frame numbers lying wholly inside the range.
  ///
  /// This is how a usable range is read: a partial frame at either end shares its other bytes with
  /// something that is not RAM, so it must never be handed out.
  @inlinable public var framesInside: Range<UInt64> {
    let mask = PageSize.size4KiB.offsetMask
    let shift = PageSize.size4KiB.shift
    // `end` ≤ 2^52, so rounding `start` up cannot overflow.
    let first = (start + mask) >> shift
    let last = end >> shift
    return first..<max(first, last)
  }

  /// The frame numbers the range touches at all.
  ///
  /// This is how a reserved range is read: a frame holding even one reserved byte is reserved.
  @inlinable public var framesTouched: Range<UInt64> {
    let mask = PageSize.size4KiB.offsetMask
    let shift = PageSize.size4KiB.shift
    guard !isEmpty else { return (start >> shift)..<(start >> shift) }
    return (start >> shift)..<((end + mask) >> shift)
  }

  /// Whether the two ranges share any address.
  @inlinable public func overlaps(_ other: PhysicalRange) -> Bool {
    start < other.end && other.start < end
  }

  public var description: String { "[" + hex(start) + ", " + hex(end) + ")" }
}
