extension AddressSpace {
  /// Releases every page of `[start, start + length)` — `munmap`.
  ///
  /// Regions are split at the edges; pages that were backed give their frames back and emptied
  /// page tables are reclaimed; the released part's commit is refunded. Holes in the range are
  /// fine, as on Linux.
  public mutating func release<Frames: FrameSource>(
    start: UInt64, length: UInt64, commit: inout CommitLedger, frames: inout Frames
  ) throws(AddressSpaceError) {
    let range: VirtualRange
    do throws(VirtualRange.Problem) {
      range = try VirtualRange(start: start, length: length)
    } catch {
      throw .invalidRange(error)
    }
    guard range.end <= UserLayout.end else { throw .invalidRange(.overflow) }
    try release(range, commit: &commit, frames: &frames)
  }

  /// Releases a validated user range.
  mutating func release<Frames: FrameSource>(
    _ range: VirtualRange, commit: inout CommitLedger, frames: inout Frames
  ) throws(AddressSpaceError) {
    try checkRegionLimit(clearing: range, adding: 0)
    try split(at: range.start, commit: &commit)
    try split(at: range.end, commit: &commit)
    dropMappings(in: range, frames: &frames)
    let first = firstRegion(endingAfter: range.start)
    var last = first
    while last < regions.count, regions[last].range.end <= range.end {
      commit.refund(regions[last].charge)
      last += 1
    }
    regions.removeSubrange(first..<last)
  }

  /// Unmaps every present page in `range`, freeing the frames this space owns: one pass over
  /// the tables (`PageMap.unmapAll`), no list of mappings built on the heap first.
  mutating func dropMappings<Frames: FrameSource>(in range: VirtualRange, frames: inout Frames) {
    let zeroPage = zeroPage
    var released: UInt64 = 0
    pageMap.unmapAll(in: range, tlb, frames: &frames) { mapping in
      guard mapping.frameAddress.frame != zeroPage else { return false }
      released += 1  // one leaf, as residentFrames counts them
      return true
    }
    residentFrames -= released
  }

  /// Releases everything: every region, frame, page table and commit of the process's part — what
  /// process exit does. The PML4 itself is returned too; the space must not be used afterwards
  /// and must not be the one loaded in CR3.
  public mutating func tearDown<Frames: FrameSource>(
    commit: inout CommitLedger, frames: inout Frames
  ) {
    var owned: UInt64 = 0
    let zeroPage = zeroPage
    pageMap.tearDownUserPart(tlb, frames: &frames) { mapping in
      guard mapping.frameAddress.frame != zeroPage else { return false }
      owned += 1
      return true
    }
    precondition(owned == residentFrames, "resident frame count drifted from the page tables")
    residentFrames = 0
    for region in regions { commit.refund(region.charge) }
    regions.removeAll()
    frames.releaseFrame(pageMap.root)
  }
}
