extension AddressSpace {
  /// Places the start of the `brk` heap (normally just above the loaded program's end).
  public func setUpHeap(at start: UInt64) throws(AddressSpaceError) {
    guard start & PageSize.size4KiB.offsetMask == 0 else { throw .invalidRange(.misaligned) }
    guard start >= UserLayout.minimumAddress, start < UserLayout.end else {
      throw .outsideUserSpace
    }
    heapStart = start
    heapBreak = start
  }

  /// Moves the program break — `brk`.
  ///
  /// Growing reserves and commits the new pages (fresh pages read as zero); shrinking releases
  /// the pages above the new break, so growing again later gives zeroed pages, not old data.
  /// On failure the break stays where it was.
  public func setBreak(
    to newBreak: UInt64
  ) throws(AddressSpaceError) {
    guard newBreak >= heapStart, newBreak <= UserLayout.end else { throw .outsideUserSpace }
    let pageMask = PageSize.size4KiB.offsetMask
    let oldEnd = (heapBreak + pageMask) & ~pageMask
    let newEnd = (newBreak + pageMask) & ~pageMask
    if newEnd > oldEnd {
      _ = try reserve(
        length: newEnd - oldEnd, protection: [.read, .write], kind: .heap,
        at: .fixedNoReplace(oldEnd))
    } else if newEnd < oldEnd {
      try release(
        VirtualRange(uncheckedStart: newEnd, end: oldEnd))
    }
    heapBreak = newBreak
  }
}
