extension AddressSpace {
  /// Drops the backing of every page in `range` — `madvise(MADV_DONTNEED)`.
  ///
  /// The regions, their protection and their commit stay: the next touch of a dropped page
  /// faults in a fresh zeroed frame (or the zero page), so it reads back as zero. Backed pages
  /// return their frames at once and emptied page tables are reclaimed, as on `munmap`. Pages
  /// that are reserved but not backed are left alone.
  ///
  /// - Throws: `.notReserved` when part of the range is not reserved (Linux's `ENOMEM`); the
  ///   reserved parts are still dropped, as Linux does.
  public mutating func discard<Frames: FrameSource>(
    _ range: VirtualRange, frames: inout Frames
  ) throws(AddressSpaceError) {
    guard range.end <= UserLayout.end else { throw .outsideUserSpace }
    dropMappings(in: range, frames: &frames)
    guard isFullyReserved(range) else { throw .notReserved }
  }

  /// Whether every page of `range` is reserved (guard pages excluded): the check `madvise`
  /// and `mincore`-like calls make.
  public func isReserved(_ range: VirtualRange) -> Bool {
    isFullyReserved(range)
  }
}
