extension AddressSpace {
  /// Releases every page of `[start, start + length)` — `munmap`.
  ///
  /// Regions are split at the edges; pages that were backed give their frames back and emptied
  /// page tables are reclaimed; the released part's commit is refunded. Holes in the range are
  /// fine, as on Linux.
  public func release(
    start: UInt64, length: UInt64
  ) throws(AddressSpaceError) {
    let range: VirtualRange
    do throws(VirtualRange.Problem) {
      range = try VirtualRange(start: start, length: length)
    } catch {
      throw .invalidRange(error)
    }
    guard range.end <= UserLayout.end else { throw .invalidRange(.overflow) }
    try release(range)
  }

  /// Releases a validated user range.
  func release(
    _ range: VirtualRange
  ) throws(AddressSpaceError) {
    try checkRegionLimit(clearing: range, adding: 0)
    try split(at: range.start)
    try split(at: range.end)
    dropMappings(in: range)
    let first = firstRegion(endingAfter: range.start)
    var last = first
    while last < regions.count, regions[last].range.end <= range.end {
      physical.commit.refund(regions[last].charge)
      last += 1
    }
    let objects = detachObjects(of: first..<last)
    forgetLineageMembers(of: first..<last)
    regions.removeSubrange(first..<last)
    for object in objects { releaseObject(object) }
  }

  /// The memory objects that the regions at `positions` refer to, one entry per region, to
  /// be released once those regions are gone; each region leaves its object's reverse map
  /// here (`forgetObjectMapping`), in the same pass.
  func detachObjects(of positions: Range<Int>) -> [MemoryObjectID] {
    var objects: [MemoryObjectID] = []
    for index in positions {
      let region = regions[index]
      guard let object = region.object else { continue }
      forgetObjectMapping(region)
      objects.append(object)
    }
    return objects
  }

  /// Unmaps every present page in `range`: one walk over the tables (`MappingDropper`) that
  /// unshares fork's tables on the way, no list of mappings built on the heap first.
  func dropMappings(in range: VirtualRange) {
    var dropper = MappingDropper(space: self, start: range.start)
    walk(range, &dropper)
    residentFrames -= dropper.released
    swappedPages -= dropper.swapEntriesReleased
  }

  /// Releases everything: every region, frame, page table and commit of the process's part — what
  /// process exit does. The PML4 itself is returned too; the space must not be used afterwards
  /// and must not be the one loaded in CR3.
  public func tearDown() {
    let droppedShares = dropSharedTables()
    dropSwapEntries()
    var owned: UInt64 = 0
    let physical = physical
    pageMap.tearDownUserPart(tlb, frames: &physical.frames) { mapping in
      let frame = mapping.frameAddress.frame
      guard frame != physical.zeroPage else { return false }
      owned += 1
      return physical.recordUnmapping(of: frame)
    }
    // A dropped shared table's leaves are not walked (exit of a sharer is O(tables)), so
    // only a space that dropped none can be checked exactly.
    precondition(
      droppedShares ? owned <= residentFrames : owned == residentFrames,
      "resident frame count drifted from the page tables")
    residentFrames = 0
    for region in regions { physical.commit.refund(region.charge) }
    let objects = detachObjects(of: 0..<regions.count)
    forgetLineageMembers(of: 0..<regions.count)
    regions.removeAll()
    for object in objects { releaseObject(object) }
    physical.releaseFrame(pageMap.root)
  }
}
