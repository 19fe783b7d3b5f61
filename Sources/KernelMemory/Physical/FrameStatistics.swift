/// A snapshot of the frame allocator's accounting, in 4 KiB frames.
///
/// `usableFrames == freeFrames + allocatedFrames` always holds; after every allocation has been
/// returned, `freeFrames == usableFrames` again — the baseline process exit must restore.
public struct FrameStatistics: Hashable, Sendable, CustomStringConvertible {
  /// Frames the bitmap covers: from frame 0 to the last usable frame.
  public var totalFrames: UInt64
  /// Frames the allocator may hand out: usable in the firmware map and not reserved by the kernel.
  public var usableFrames: UInt64
  /// Frames it never hands out: holes, firmware-reserved kinds and the kernel's reservations.
  public var reservedFrames: UInt64 { totalFrames - usableFrames }
  /// Frames free right now.
  public var freeFrames: UInt64
  /// Frames handed out and not yet returned.
  public var allocatedFrames: UInt64 { usableFrames - freeFrames }
  /// The longest run of consecutive free frames: the largest contiguous request that can succeed
  /// (ignoring alignment).
  public var largestFreeRun: UInt64

  /// A snapshot with these counts.
  public init(
    totalFrames: UInt64, usableFrames: UInt64, freeFrames: UInt64, largestFreeRun: UInt64
  ) {
    self.totalFrames = totalFrames
    self.usableFrames = usableFrames
    self.freeFrames = freeFrames
    self.largestFreeRun = largestFreeRun
  }

  public var description: String {
    "frames: total " + String(totalFrames) + ", usable " + String(usableFrames) + ", reserved "
      + String(reservedFrames) + ", free " + String(freeFrames) + ", largest free run "
      + String(largestFreeRun)
  }
}
