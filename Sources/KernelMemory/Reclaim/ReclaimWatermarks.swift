/// When reclaim runs and how far it goes, in free frames — Linux's zone watermarks
/// (`mm/page_alloc.c`, `__setup_per_zone_wmarks`), computed the same way from the machine's
/// RAM so that a machine of a given size reclaims where Linux 6.1 would:
///
/// - `minimum`: Linux's `min_free_kbytes`, `sqrt(16 × RAM in KiB)` KiB clamped to
///   [`minimumFreeKiBFloor`, `minimumFreeKiBCeiling`]. User memory never takes the last
///   `minimum` frames: a safe point that finds fewer free reclaims before the user operation
///   goes on (the kernel's own allocations may dip below it — that is what it is for).
/// - `low`: below it, a safe point reclaims (Linux wakes `kswapd`).
/// - `high`: reclaim, once started, goes on until this many are free, so it runs in batches
///   rather than a page at a time (Linux's `kswapd` goal).
///
/// The gap between marks is `max(minimum / 4, RAM × watermarkScaleFactor / 10000)` — Linux's
/// `watermark_scale_factor` default of 10 (0.1 % of RAM).
///
/// Linux computes `min_free_kbytes` from its free buffer pages at boot, which is what the
/// kernel passes as `frames` (its free frames once its own tables and heap exist): at 128 MiB
/// Linux 6.1 shows min 292, low 365, high 438 pages and this gives 293, 366, 439. (With
/// transparent huge pages enabled khugepaged raises Linux's `min_free_kbytes` on larger
/// machines to keep huge pages assemblable — 45 056 KiB at 1 GiB; user memory here is 4 KiB
/// pages, so that rule is not followed.)
///
/// Pure and `Sendable`: the kernel computes it once at boot from its usable frame count.
public struct ReclaimWatermarks: Equatable, Sendable {
  /// Linux's lower clamp of `min_free_kbytes` (128 KiB).
  public static let minimumFreeKiBFloor: UInt64 = 128
  /// Linux 6.1's upper clamp of `min_free_kbytes` (256 MiB).
  public static let minimumFreeKiBCeiling: UInt64 = 262_144
  /// Linux's `watermark_scale_factor` default, in ten-thousandths of RAM.
  public static let watermarkScaleFactor: UInt64 = 10
  /// `watermark_scale_factor`'s unit.
  static let scaleDivisor: UInt64 = 10_000
  /// Linux's factor under the square root of `min_free_kbytes` (`lowmem_kbytes * 16`).
  static let minimumFreeMultiplier: UInt64 = 16

  /// The free frames below which user memory must wait for reclaim.
  public let minimum: UInt64
  /// The free frames below which a safe point starts reclaim.
  public let low: UInt64
  /// The free frames a reclaim pass aims for.
  public let high: UInt64

  /// Explicit marks (tests); `minimum <= low <= high`.
  public init(minimum: UInt64, low: UInt64, high: UInt64) {
    precondition(minimum <= low && low <= high, "watermarks out of order")
    self.minimum = minimum
    self.low = low
    self.high = high
  }

  /// The marks of a machine with `frames` usable 4 KiB frames.
  public init(frames: UInt64) {
    let kib = frames * (PageSize.size4KiB.bytes / 1024)
    let minimumKiB = min(
      max(Self.integerSquareRoot(kib * Self.minimumFreeMultiplier), Self.minimumFreeKiBFloor),
      Self.minimumFreeKiBCeiling)
    let minimum = min(minimumKiB / (PageSize.size4KiB.bytes / 1024), frames)
    let gap = max(minimum / 4, frames * Self.watermarkScaleFactor / Self.scaleDivisor)
    self.init(minimum: minimum, low: minimum + gap, high: minimum + 2 * gap)
  }

  /// Frames a pass should free when `free` are free: up to `high`, or none at or above `low`.
  public func shortfall(free: UInt64) -> UInt64 {
    free >= low ? 0 : high - free
  }

  /// Whether user memory may take a frame now (`free` above `minimum`) without reclaiming.
  public func userMayAllocate(free: UInt64) -> Bool { free > minimum }

  /// `⌊√value⌋` by Newton's method on integers (no floating point in the kernel).
  static func integerSquareRoot(_ value: UInt64) -> UInt64 {
    guard value > 1 else { return value }
    var guess = value
    var next = (guess + 1) / 2
    while next < guess {
      guess = next
      next = (guess + value / guess) / 2
    }
    return guess
  }
}
